/** USD per million tokens, as in the catalog and in `models.<name>.price`. */
export interface Price {
  input: number
  output: number
  /** Prompt tokens served from the provider's prompt cache; absent: billed at `input`. */
  cached_input?: number | undefined
  /** Rates for the whole call once its prompt is longer than `above_input_tokens` (Gemini 2.5 Pro, 1M-context Claude). */
  long_context?: LongContextPrice | undefined
}

export interface LongContextPrice {
  above_input_tokens: number
  input: number
  output: number
  cached_input?: number | undefined
}

/**
 * Token counts in OpenAI's shape: `prompt_tokens` includes the cached ones. Adapters for providers
 * that report cache reads apart (Anthropic's `cache_read_input_tokens`) add them in before metering.
 */
export interface TokenUsage {
  prompt_tokens: number
  completion_tokens: number
  prompt_tokens_details?: { cached_tokens?: number | null | undefined } | null | undefined
}

const TOKENS_PER_MTOK = 1_000_000

/**
 * The USD cost of a call's usage at `price`: cached prompt tokens at `cached_input` (else `input`),
 * the other prompt tokens at `input`, completion tokens at `output`. Rounded with {@link roundUsd}.
 * Counts that are negative or not finite count as 0; cached tokens count at most the prompt.
 */
export function costUsd(price: Price, usage: TokenUsage): number {
  const promptTokens = tokenCount(usage.prompt_tokens)
  const completionTokens = tokenCount(usage.completion_tokens)
  const cachedTokens = Math.min(tokenCount(usage.prompt_tokens_details?.cached_tokens), promptTokens)
  const rates =
    price.long_context !== undefined && promptTokens > price.long_context.above_input_tokens
      ? price.long_context
      : price
  const usdTimesMTok =
    (promptTokens - cachedTokens) * rates.input +
    cachedTokens * (rates.cached_input ?? rates.input) +
    completionTokens * rates.output
  return roundUsd(usdTimesMTok / TOKENS_PER_MTOK)
}

/**
 * Rounds to the nano-dollar (1e-9 USD), far below any provider's billing unit, so sums of binary
 * fractions print as the decimals they stand for: 0.1 + 0.2 gives 0.3, not 0.30000000000000004, in
 * the `x-gatehouse-cost-usd` header and in stored usage. Dividing the rounded integer by 1e9 yields
 * the double nearest that decimal, which is what `String()` prints back. Monotonic: a larger input
 * never rounds to a smaller result.
 */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9
}

function tokenCount(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0
}
