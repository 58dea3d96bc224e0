import { createHash } from 'node:crypto'
import type { ResolvedProvider } from '../config/load.js'
import { Secret } from '../config/secret.js'
import { createAnthropicProvider } from './anthropic/anthropic-provider.js'
import { createAzureOpenAIProvider } from './azure-openai/azure-openai-provider.js'
import { createBedrockProvider } from './bedrock/bedrock-provider.js'
import { createGeminiProvider } from './gemini/gemini-provider.js'
import { createMistralProvider } from './mistral/mistral-provider.js'
import { createOpenAIProvider } from './openai/openai-provider.js'
import { createSimulatedProvider } from './simulated/simulated-provider.js'
import type { Provider } from './types.js'

/** The one place that maps a provider `kind` to its adapter. */
export function createProvider(config: ResolvedProvider): Provider {
  switch (config.kind) {
    case 'openai':
    case 'openai-compatible':
      return createOpenAIProvider(config)
    case 'anthropic':
      return createAnthropicProvider(config)
    case 'azure-openai':
      return createAzureOpenAIProvider(config)
    case 'mistral':
      return createMistralProvider(config)
    case 'gemini':
      return createGeminiProvider(config)
    case 'simulated':
      return createSimulatedProvider(config)
    case 'bedrock':
      return createBedrockProvider(config)
  }
}

/**
 * Providers by name, kept across config reloads: an unchanged provider keeps its instance and so
 * its warm connection pool; a changed or removed one is closed once the requests using it are done.
 */
export class ProviderRegistry {
  #live = new Map<string, { fingerprint: string; provider: Provider }>()

  /** Build the provider set for a new config; returns providers that the new config dropped. */
  update(configs: Readonly<Record<string, ResolvedProvider>>): {
    providers: Map<string, Provider>
    retired: Provider[]
  } {
    const next = new Map<string, { fingerprint: string; provider: Provider }>()
    const retired: Provider[] = []
    for (const [name, config] of Object.entries(configs)) {
      const fingerprint = fingerprintOf(config)
      const existing = this.#live.get(name)
      next.set(
        name,
        existing?.fingerprint === fingerprint ? existing : { fingerprint, provider: createProvider(config) },
      )
    }
    for (const [name, entry] of this.#live) {
      if (next.get(name) !== entry) retired.push(entry.provider)
    }
    this.#live = next
    return { providers: new Map([...next].map(([name, entry]) => [name, entry.provider])), retired }
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.#live.values()].map((entry) => entry.provider.close()))
    this.#live.clear()
  }
}

function fingerprintOf(config: ResolvedProvider): string {
  // toJSON runs before a replacer sees the value, so look at the original on the holder.
  const text = JSON.stringify(config, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key]
    return raw instanceof Secret ? `secret:${raw.reveal()}` : value
  })
  return createHash('sha256').update(text).digest('hex')
}
