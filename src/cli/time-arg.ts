import { parseDuration } from '../server/parse-duration.js'
import { parseIsoTime } from '../server/parse-iso-time.js'

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
  const ms = parseIsoTime(text)
  return ms === undefined ? undefined : new Date(ms).toISOString()
}
