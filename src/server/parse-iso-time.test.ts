import { describe, expect, it } from 'vitest'
import { parseIsoTime } from './parse-iso-time.js'

describe('parseIsoTime', () => {
  it('reads date-times with a zone, with or without seconds and fractions', () => {
    expect(parseIsoTime('2026-11-29T10:00:00Z')).toBe(Date.UTC(2026, 10, 29, 10))
    expect(parseIsoTime('2026-11-29T10:00Z')).toBe(Date.UTC(2026, 10, 29, 10))
    expect(parseIsoTime('2026-11-29T10:00:00.123+01:00')).toBe(Date.UTC(2026, 10, 29, 9, 0, 0, 123))
    expect(parseIsoTime('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29))
  })

  it('refuses impossible dates instead of rolling them over, and times without a zone', () => {
    for (const text of [
      '2026-02-29T00:00:00Z',
      '2026-02-30T10:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-11-29T24:00:00Z',
      '2026-11-29T23:60:00Z',
      '2026-11-29T10:00:00',
      '2026-11-29',
      'yesterday',
    ])
      expect(parseIsoTime(text), text).toBeUndefined()
  })
})
