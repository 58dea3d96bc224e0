/**
 * Seconds until an exhausted Anthropic rate limit resets, from the `anthropic-ratelimit-*-reset`
 * headers (RFC 3339 times, https://docs.anthropic.com/en/api/rate-limits#response-headers). Used
 * for a 429 that came without `retry-after`: the latest reset among the limits with nothing left.
 */
export function rateLimitResetS(
  headers: Record<string, string | string[] | undefined>,
  nowMs: number = Date.now(),
): number | undefined {
  let latestMs: number | undefined
  for (const [name, value] of Object.entries(headers)) {
    const match = /^anthropic-ratelimit-([a-z-]+)-remaining$/.exec(name)
    if (!match || String(value) !== '0') continue
    const reset = Date.parse(String(headers[`anthropic-ratelimit-${match[1]}-reset`]))
    if (!Number.isNaN(reset) && (latestMs === undefined || reset > latestMs)) latestMs = reset
  }
  return latestMs === undefined ? undefined : Math.max(0, Math.ceil((latestMs - nowMs) / 1000))
}
