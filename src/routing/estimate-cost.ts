import { costUsd, type Price } from '../pricing/cost.js'
import type { ChatBody } from '../providers/types.js'

/**
 * The USD cost of a call at `price` (USD per million tokens, as in the model config), or undefined
 * when the model has no price. A price of 0 is a free model, not an unknown one. The same math as
 * metering (`costUsd`), with no cached tokens: before the call nobody knows how many will hit.
 */
export function estimateCostUsd(
  price: Price | undefined,
  inputTokens: number,
  outputTokens: number,
): number | undefined {
  if (price === undefined) return undefined
  return costUsd(price, { prompt_tokens: inputTokens, completion_tokens: outputTokens })
}

/**
 * Output tokens to budget for: the caller's cap (`max_completion_tokens`, else the older
 * `max_tokens`), else the configured typical length; times `n`, since each choice is billed.
 */
export function expectedOutputTokens(body: ChatBody, typicalOutputTokens: number): number {
  const perChoice = requestedOutputTokens(body) ?? typicalOutputTokens
  const n = tokenCount(body['n'])
  return n !== undefined && n > 1 ? perChoice * n : perChoice
}

/** The caller's output cap for one choice (`max_completion_tokens`, else `max_tokens`), if set. */
export function requestedOutputTokens(body: ChatBody): number | undefined {
  return tokenCount(body['max_completion_tokens']) ?? tokenCount(body['max_tokens'])
}

/** A field the caller may have set to null or to nonsense: only a count is used. */
function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined
}
