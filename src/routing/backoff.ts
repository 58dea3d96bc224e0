export interface RetrySettings {
  /** Total tries per target, including the first; at least 1. */
  attempts: number
  initial_backoff_ms: number
  max_backoff_ms: number
  /** A longer `Retry-After` than this gives up on the target instead of holding the client. */
  max_retry_after_s: number
}

export type RetryDelay = { delayMs: number } | { giveUp: 'retry_after_too_long' | 'deadline' }

/**
 * Capped exponential backoff with full jitter: a uniform draw from [0, min(cap, base * 2^(retry-1))).
 * Full jitter spreads clients that failed together across the whole interval instead of retrying in
 * lockstep, which is what keeps a recovering provider from being knocked over again
 * (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015). `retry` is 1 for the first retry.
 */
export function backoffDelayMs(retry: number, settings: RetrySettings, random: () => number): number {
  // Clamping the exponent keeps 2 ** n finite, so a zero base stays 0 instead of 0 * Infinity = NaN.
  const growth = 2 ** Math.min(Math.max(0, retry - 1), 1023)
  const ceilingMs = Math.min(settings.max_backoff_ms, settings.initial_backoff_ms * growth)
  return random() * ceilingMs
}

/**
 * How long to wait before retry number `retry` on the same target, or why not to retry it. Whether
 * any tries are left (`settings.attempts`) is the caller's count; this decides only the wait.
 */
export function retryDelayMs(opts: {
  retry: number
  /** The provider's `Retry-After`, in seconds (fractional from `retry-after-ms`). */
  retryAfterS?: number
  settings: RetrySettings
  random: () => number
  /** Time left before the request's deadline; `Infinity` when it has none. */
  remainingMs: number
}): RetryDelay {
  const { retry, retryAfterS, settings, random, remainingMs } = opts
  let delayMs: number
  if (retryAfterS !== undefined && !Number.isNaN(retryAfterS)) {
    // The provider told us when it will take the request again (RFC 9110 section 10.2.3); retrying
    // sooner only burns an attempt on another 429/503, so wait exactly that or not at all.
    if (retryAfterS > settings.max_retry_after_s) return { giveUp: 'retry_after_too_long' }
    delayMs = Math.max(0, retryAfterS) * 1000
  } else {
    delayMs = backoffDelayMs(retry, settings, random)
  }
  // A retry that would start when the deadline passes has no time left to run: better to let the
  // caller move on to the next target, or fail, now.
  if (delayMs >= remainingMs) return { giveUp: 'deadline' }
  return { delayMs }
}
