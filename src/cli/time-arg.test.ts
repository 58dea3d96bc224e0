import { describe, expect, it } from 'vitest'
import { timeArg } from './time-arg.js'

const NOW = Date.UTC(2026, 10, 29, 12, 0, 0)

describe('timeArg', () => {
  it('reads relative durations back from now', () => {
    expect(timeArg('24h', NOW)).toBe('2026-11-28T12:00:00.000Z')
    expect(timeArg('7d', NOW)).toBe('2026-11-22T12:00:00.000Z')
    expect(timeArg('30m', NOW)).toBe('2026-11-29T11:30:00.000Z')
  })

  it('reads dates (UTC midnight), date-times with a zone, and epoch ms', () => {
    expect(timeArg('2026-11-01', NOW)).toBe('2026-11-01T00:00:00.000Z')
    expect(timeArg('2026-11-01T10:00+02:00', NOW)).toBe('2026-11-01T08:00:00.000Z')
    expect(timeArg(String(NOW), NOW)).toBe('2026-11-29T12:00:00.000Z')
  })

  it('refuses anything else', () => {
    for (const text of ['yesterday', '2026-02-30', '2026-11-01T10:00', '2026-13-45', '1.5h', ''])
      expect(timeArg(text, NOW), text).toBeUndefined()
  })
})
