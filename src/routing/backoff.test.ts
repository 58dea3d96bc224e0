import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { backoffDelayMs, type RetrySettings, retryDelayMs } from './backoff.js'

const settings: RetrySettings = {
  attempts: 3,
  initial_backoff_ms: 100,
  max_backoff_ms: 1_000,
  max_retry_after_s: 5,
}

/** A random source that returns the given values in turn, then repeats the last. */
const sequence =
  (...values: number[]) =>
  (): number =>
    values.length > 1 ? values.shift()! : values[0]!

const arbSettings = fc.record({
  attempts: fc.integer({ min: 1, max: 10 }),
  initial_backoff_ms: fc.integer({ min: 0, max: 10_000 }),
  max_backoff_ms: fc.integer({ min: 0, max: 120_000 }),
  max_retry_after_s: fc.integer({ min: 0, max: 600 }),
})
// Math.random's range: [0, 1).
const arbUnit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })

describe('backoffDelayMs', () => {
  it('doubles the ceiling per retry and scales it by the random draw (full jitter)', () => {
    expect(backoffDelayMs(1, settings, () => 0.5)).toBe(50)
    expect(backoffDelayMs(2, settings, () => 0.5)).toBe(100)
    expect(backoffDelayMs(3, settings, () => 0.5)).toBe(200)
    expect(backoffDelayMs(4, settings, () => 0.5)).toBe(400)
  })

  it('draws anywhere from zero to the ceiling', () => {
    expect(backoffDelayMs(3, settings, () => 0)).toBe(0)
    expect(backoffDelayMs(3, settings, () => 0.999)).toBeCloseTo(399.6)
  })

  it('caps the ceiling at max_backoff_ms', () => {
    expect(backoffDelayMs(5, settings, () => 0.5)).toBe(500) // 100 * 16 = 1600, capped to 1000
    expect(backoffDelayMs(50, settings, () => 0.5)).toBe(500)
  })

  it('stays finite for huge retry numbers and a zero base', () => {
    expect(backoffDelayMs(5_000, settings, () => 0.5)).toBe(500)
    expect(backoffDelayMs(5_000, { ...settings, initial_backoff_ms: 0 }, () => 0.5)).toBe(0)
  })

  it('takes one draw per call, so the same source gives the same delays', () => {
    let draws = 0
    const counting = () => {
      draws++
      return 0.25
    }
    backoffDelayMs(2, settings, counting)
    expect(draws).toBe(1)
    const run = () => [1, 2, 3].map((n) => backoffDelayMs(n, settings, sequence(0.1, 0.7, 0.3)))
    expect(run()).toEqual(run())
  })

  it('spreads draws over the interval instead of clustering (full jitter, not equal jitter)', () => {
    // A deterministic low-discrepancy source: the delays must follow it across the whole range.
    const draws = Array.from({ length: 100 }, (_, i) => i / 100)
    const delays = draws.map((u) => backoffDelayMs(3, settings, () => u))
    expect(Math.min(...delays)).toBe(0)
    expect(Math.max(...delays)).toBeCloseTo(396)
    const belowHalf = delays.filter((d) => d < 200).length
    expect(belowHalf).toBe(50)
  })

  it('stays within [0, min(cap, base * 2^(retry-1))] (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2_000 }), arbSettings, arbUnit, (retry, s, u) => {
        const delay = backoffDelayMs(retry, s, () => u)
        expect(delay).toBeGreaterThanOrEqual(0)
        // 2 ** n overflows to Infinity past n = 1023, and 0 * Infinity is NaN: a zero base means zero.
        const ceiling = s.initial_backoff_ms === 0 ? 0 : s.initial_backoff_ms * 2 ** (retry - 1)
        expect(delay).toBeLessThanOrEqual(Math.min(s.max_backoff_ms, ceiling))
        expect(Number.isFinite(delay)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })

  it('is monotone in the random draw and never shrinks as retries grow (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), arbSettings, arbUnit, arbUnit, (retry, s, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a]
        expect(backoffDelayMs(retry, s, () => lo)).toBeLessThanOrEqual(backoffDelayMs(retry, s, () => hi))
        expect(backoffDelayMs(retry, s, () => a)).toBeLessThanOrEqual(backoffDelayMs(retry + 1, s, () => a))
      }),
      { numRuns: 500 },
    )
  })
})

describe('retryDelayMs', () => {
  const base = { retry: 1, settings, random: () => 0.5, remainingMs: Number.POSITIVE_INFINITY }

  it('uses the jittered backoff when there is no Retry-After', () => {
    expect(retryDelayMs({ ...base, retry: 3 })).toEqual({ delayMs: 200 })
  })

  it('waits exactly the Retry-After, including fractional seconds, without jitter', () => {
    let draws = 0
    const random = () => {
      draws++
      return 0.5
    }
    expect(retryDelayMs({ ...base, retryAfterS: 2, random })).toEqual({ delayMs: 2_000 })
    expect(retryDelayMs({ ...base, retryAfterS: 1.5, random })).toEqual({ delayMs: 1_500 })
    expect(retryDelayMs({ ...base, retryAfterS: 0, random })).toEqual({ delayMs: 0 })
    expect(draws).toBe(0)
  })

  it('honours a Retry-After longer than max_backoff_ms: the provider knows best', () => {
    expect(retryDelayMs({ ...base, retryAfterS: 4 })).toEqual({ delayMs: 4_000 })
  })

  it('accepts a Retry-After equal to max_retry_after_s and gives up above it', () => {
    expect(retryDelayMs({ ...base, retryAfterS: 5 })).toEqual({ delayMs: 5_000 })
    expect(retryDelayMs({ ...base, retryAfterS: 5.001 })).toEqual({ giveUp: 'retry_after_too_long' })
    expect(retryDelayMs({ ...base, retryAfterS: Number.POSITIVE_INFINITY })).toEqual({
      giveUp: 'retry_after_too_long',
    })
  })

  it('reports a too-long Retry-After even when the deadline would also stop it', () => {
    expect(retryDelayMs({ ...base, retryAfterS: 60, remainingMs: 10 })).toEqual({
      giveUp: 'retry_after_too_long',
    })
  })

  it('falls back to backoff for a NaN Retry-After and clamps a negative one to zero', () => {
    expect(retryDelayMs({ ...base, retryAfterS: Number.NaN })).toEqual({ delayMs: 50 })
    expect(retryDelayMs({ ...base, retryAfterS: -3 })).toEqual({ delayMs: 0 })
  })

  it('gives up when the wait would not end before the deadline', () => {
    expect(retryDelayMs({ ...base, retryAfterS: 2, remainingMs: 2_001 })).toEqual({ delayMs: 2_000 })
    expect(retryDelayMs({ ...base, retryAfterS: 2, remainingMs: 2_000 })).toEqual({ giveUp: 'deadline' })
    expect(retryDelayMs({ ...base, retry: 3, remainingMs: 150 })).toEqual({ giveUp: 'deadline' })
    expect(retryDelayMs({ ...base, retry: 3, remainingMs: 250 })).toEqual({ delayMs: 200 })
  })

  it('gives up when the deadline has already passed', () => {
    expect(retryDelayMs({ ...base, retryAfterS: 0, remainingMs: 0 })).toEqual({ giveUp: 'deadline' })
    expect(retryDelayMs({ ...base, remainingMs: -5 })).toEqual({ giveUp: 'deadline' })
  })

  it('always returns a wait that fits the deadline and the caps, or a reason (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        arbSettings,
        arbUnit,
        fc.option(fc.double({ min: 0, max: 1_000, noNaN: true }), { nil: undefined }),
        fc.oneof(fc.integer({ min: -1_000, max: 200_000 }), fc.constant(Number.POSITIVE_INFINITY)),
        (retry, s, u, retryAfterS, remainingMs) => {
          const result = retryDelayMs({ retry, retryAfterS, settings: s, random: () => u, remainingMs })
          if ('delayMs' in result) {
            expect(result.delayMs).toBeGreaterThanOrEqual(0)
            expect(result.delayMs).toBeLessThan(remainingMs)
            if (retryAfterS === undefined) {
              expect(result.delayMs).toBe(backoffDelayMs(retry, s, () => u))
            } else {
              expect(retryAfterS).toBeLessThanOrEqual(s.max_retry_after_s)
              expect(result.delayMs).toBe(retryAfterS * 1000)
            }
          } else if (result.giveUp === 'retry_after_too_long') {
            expect(retryAfterS).toBeGreaterThan(s.max_retry_after_s)
          } else {
            const wanted = retryAfterS === undefined ? backoffDelayMs(retry, s, () => u) : retryAfterS * 1000
            expect(wanted).toBeGreaterThanOrEqual(remainingMs)
          }
        },
      ),
      { numRuns: 1_000 },
    )
  })
})
