import type { Usage } from '../types.js'
import type { AnthropicUsage } from './anthropic-types.js'

/**
 * Anthropic counts cached input apart from `input_tokens`
 * (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance):
 * OpenAI's `prompt_tokens` is the whole prompt, so it is the sum of the three, and cache reads are
 * OpenAI's `prompt_tokens_details.cached_tokens`. Cache writes have no OpenAI field; they keep
 * Anthropic's name (as LiteLLM does) so that /v1/messages can give them back.
 */
export function usageFromAnthropic(usage: Partial<AnthropicUsage>): Usage {
  const cacheRead = usage.cache_read_input_tokens ?? 0
  const cacheWrite = usage.cache_creation_input_tokens ?? 0
  const prompt = (usage.input_tokens ?? 0) + cacheRead + cacheWrite
  const completion = usage.output_tokens ?? 0
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
    cache_creation_input_tokens: cacheWrite,
  }
}

/** The inverse, for answers written on /v1/messages. */
export function anthropicUsageFrom(usage: Usage | null | undefined): AnthropicUsage {
  if (!usage) return { input_tokens: 0, output_tokens: 0 }
  const details = usage['prompt_tokens_details'] as { cached_tokens?: number } | null | undefined
  const cacheRead = details?.cached_tokens ?? 0
  const cacheWrite = numberOr(usage['cache_creation_input_tokens'], 0)
  return {
    input_tokens: Math.max(0, usage.prompt_tokens - cacheRead - cacheWrite),
    output_tokens: usage.completion_tokens,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  }
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback
}
