import { parseDuration } from '../server/parse-duration.js'

/**
 * A `--from`/`--to` value for the admin API: relative (`24h`, `7d`, `30m`: that long before
 * `nowMs`), an ISO date (`2026-11-29`, UTC midnight) or date-time, or epoch milliseconds.
 * Returns an ISO date-time, or undefined when the text is none of these.
 */
export function timeArg(text: string, nowMs: number): string | undefined {
  const ago = parseDuration(text)
  if (ago !== undefined) return new Date(nowMs - ago).toISOString()
  if (/^\d{1,15}$/.test(text)) return new Date(Number(text)).toISOString()
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text = `${text}T00:00:00Z`
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return undefined
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString()
}
