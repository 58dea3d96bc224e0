import type { ResolvedProvider } from '../../config/load.js'
import { encodeEmbeddingsBase64 } from '../shared/embeddings-base64.js'
import { createOpenAICompatibleProvider } from '../shared/openai-compatible.js'
import type { Provider } from '../types.js'
import { readMistralError } from './read-mistral-error.js'
import { fromMistralChunk, fromMistralCompletion, toMistralChat, toMistralEmbeddings } from './to-mistral.js'

/** Mistral's API (`https://api.mistral.ai/v1`): OpenAI's paths and SSE, its own parameters and errors. */
export function createMistralProvider(config: ResolvedProvider): Provider {
  const headers: Record<string, string> = {}
  if (config.api_key) headers['authorization'] = `Bearer ${config.api_key.reveal()}`
  for (const [name, value] of Object.entries(config.headers ?? {}))
    headers[name.toLowerCase()] = value.reveal()
  return createOpenAICompatibleProvider({
    config,
    headers: () => headers,
    dialect: {
      readError: readMistralError,
      chatBody: toMistralChat,
      completion: fromMistralCompletion,
      chunk: fromMistralChunk,
      embeddingsBody: toMistralEmbeddings,
      embeddings: (raw, body) => (body.encoding_format === 'base64' ? encodeEmbeddingsBase64(raw) : raw),
    },
  })
}
