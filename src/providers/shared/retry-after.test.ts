import { describe, expect, it } from 'vitest'
import { parseRetryAfter } from './retry-after.js'

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')

  it('reads delay-seconds', () => {
    expect(parseRetryAfter({ 'retry-after': '7' }, now)).toBe(7)
  })

  it('reads an HTTP-date relative to now', () => {
    expect(parseRetryAfter({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, now)).toBe(30)
  })

  it('prefers retry-after-ms', () => {
    expect(parseRetryAfter({ 'retry-after': '7', 'retry-after-ms': '1500' }, now)).toBe(1.5)
  })

  it('ignores garbage and absence', () => {
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined()
    expect(parseRetryAfter({}, now)).toBeUndefined()
  })

  it('never goes negative for a date in the past', () => {
    expect(parseRetryAfter({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }, now)).toBe(0)
  })
})
