import type { ResolvedProvider } from '../../config/load.js'
import { createOpenAICompatibleProvider } from '../shared/openai-compatible.js'
import type { Provider } from '../types.js'

/**
 * Kinds `openai` and `openai-compatible`: the same wire format. OpenAI adds its organization and
 * project headers; any server may add headers of its own (e.g. a token for a proxy in front of vLLM).
 */
export function createOpenAIProvider(config: ResolvedProvider): Provider {
  const headers: Record<string, string> = {}
  if (config.api_key) headers['authorization'] = `Bearer ${config.api_key.reveal()}`
  if (config.organization) headers['openai-organization'] = config.organization
  if (config.project) headers['openai-project'] = config.project
  for (const [name, value] of Object.entries(config.headers ?? {}))
    headers[name.toLowerCase()] = value.reveal()
  return createOpenAICompatibleProvider({ config, headers: () => headers })
}
