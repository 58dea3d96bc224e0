import type { ResolvedProvider } from '../../config/load.js'
import { createOpenAICompatibleProvider, type OpenAIOperation } from '../shared/openai-compatible.js'
import type { CallOptions, ChatChunk, Provider } from '../types.js'
import { readAzureError } from './read-azure-error.js'

/**
 * Azure OpenAI: OpenAI's wire format behind Azure's URLs and auth.
 * - Deployment API: `{base}/openai/deployments/{deployment}/chat/completions?api-version=...`,
 *   where the model entry's `model` is the deployment name (learn.microsoft.com, Azure OpenAI
 *   REST reference).
 * - `api_version: v1`: the versionless `{base}/openai/v1/chat/completions`, deployment in `model`
 *   (learn.microsoft.com, "Azure OpenAI API version lifecycle", v1 API).
 * Auth is the `api-key` header or a Microsoft Entra ID token as `Authorization: Bearer`.
 */
export function createAzureOpenAIProvider(config: ResolvedProvider): Provider {
  const headers: Record<string, string> = {}
  if (config.api_key) headers['api-key'] = config.api_key.reveal()
  if (config.azure_ad_token) headers['authorization'] = `Bearer ${config.azure_ad_token.reveal()}`
  for (const [name, value] of Object.entries(config.headers ?? {}))
    headers[name.toLowerCase()] = value.reveal()
  const version = config.api_version ?? 'v1'
  const query = `?api-version=${encodeURIComponent(version)}`

  const path =
    version === 'v1'
      ? (operation: OpenAIOperation) => `/openai/v1/${OPERATION[operation]}`
      : (operation: OpenAIOperation, opts: CallOptions) =>
          `/openai/deployments/${encodeURIComponent(opts.model.model)}/${OPERATION[operation]}${query}`

  return createOpenAICompatibleProvider({
    config,
    headers: () => headers,
    dialect: { path, readError: readAzureError, chunk: dropFilterOnlyChunk },
  })
}

const OPERATION: Record<OpenAIOperation, string> = { chat: 'chat/completions', embeddings: 'embeddings' }

/**
 * Azure opens a stream with a chunk carrying only `prompt_filter_results` (empty `choices`, empty
 * `model`), and may send more choice-less annotation chunks. OpenAI's own streams never have an
 * empty `choices` except for the usage chunk, and code that reads `choices[0]` breaks on them, so
 * they are dropped; chunks with choices keep their `content_filter_results` untouched.
 */
function dropFilterOnlyChunk(chunk: ChatChunk): ChatChunk | undefined {
  if (chunk.choices.length === 0 && !chunk.usage) return undefined
  return chunk
}
