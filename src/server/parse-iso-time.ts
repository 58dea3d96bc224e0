/** A date, `T`, hours and minutes, optional seconds and fraction, and a zone. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/

/**
 * An ISO 8601 date-time with a zone to epoch ms; undefined for anything else. `Date.parse` alone
 * rolls impossible dates over (`2026-02-30` becomes March 2nd), so the fields are checked first.
 */
export function parseIsoTime(text: string): number | undefined {
  const m = ISO.exec(text)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0)) as number[]
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate()
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth) return undefined
  if (hour! > 23 || minute! > 59 || second! > 59) return undefined
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? undefined : ms
}
