import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BreakerRegistry, type BreakerSettings, CircuitBreaker } from './circuit-breaker.js'

const T0 = Date.parse('2026-01-01T00:00:00.000Z')

/** A clock the test moves by hand: no real waiting anywhere. */
function fakeClock(startMs = T0) {
  let nowMs = startMs
  return {
    now: () => nowMs,
    advance: (ms: number) => {
      nowMs += ms
    },
  }
}

const settings: BreakerSettings = {
  failure_threshold: 3,
  error_rate: 0.5,
  min_requests: 10,
  window_s: 10,
  cooldown_s: 30,
}

/** Error rate only: a consecutive-failure threshold no test reaches. */
const rateOnly: BreakerSettings = { ...settings, failure_threshold: 1_000 }

/** Never opens: for watching the window alone. */
const never: BreakerSettings = { ...settings, failure_threshold: Number.POSITIVE_INFINITY, error_rate: 2 }

function setup(s: BreakerSettings = settings) {
  const clock = fakeClock()
  return { clock, breaker: new CircuitBreaker(s, clock.now) }
}

function openBreaker(breaker: CircuitBreaker, s: BreakerSettings = settings) {
  for (let i = 0; i < s.failure_threshold; i++) breaker.onFailure()
  expect(breaker.state).toBe('open')
}

describe('CircuitBreaker: closed', () => {
  it('starts closed and lets calls through', () => {
    const { breaker } = setup()
    expect(breaker.state).toBe('closed')
    expect(breaker.tryAcquire()).toBe(true)
    expect(breaker.tryAcquire()).toBe(true)
    expect(breaker.snapshot()).toEqual({
      state: 'closed',
      consecutive_failures: 0,
      window_requests: 0,
      window_failures: 0,
    })
  })

  it('opens on failure_threshold consecutive failures', () => {
    const { breaker } = setup()
    breaker.onFailure()
    breaker.onFailure()
    expect(breaker.state).toBe('closed')
    breaker.onFailure()
    expect(breaker.state).toBe('open')
  })

  it('starts the consecutive count again after a success', () => {
    const { breaker } = setup()
    breaker.onFailure()
    breaker.onFailure()
    breaker.onSuccess()
    breaker.onFailure()
    breaker.onFailure()
    expect(breaker.state).toBe('closed')
    expect(breaker.snapshot()).toMatchObject({
      consecutive_failures: 2,
      window_requests: 5,
      window_failures: 4,
    })
  })

  it('opens when the failure ratio reaches error_rate once min_requests are in the window', () => {
    const { breaker } = setup(rateOnly)
    // Alternating, so the consecutive rule never fires: 5 failures in 9 is 56% but below min_requests.
    for (let i = 0; i < 9; i++) {
      if (i % 2 === 0) breaker.onFailure()
      else breaker.onSuccess()
    }
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', window_requests: 9, window_failures: 5 })
    breaker.onFailure() // 6 of 10
    expect(breaker.state).toBe('open')
  })

  it('opens at exactly error_rate', () => {
    const { breaker } = setup(rateOnly)
    for (let i = 0; i < 5; i++) breaker.onSuccess()
    for (let i = 0; i < 4; i++) breaker.onFailure()
    expect(breaker.state).toBe('closed')
    breaker.onFailure() // 5 of 10 = 0.5
    expect(breaker.state).toBe('open')
  })

  it('stays closed below error_rate however many requests', () => {
    const { breaker } = setup(rateOnly)
    for (let i = 0; i < 100; i++) {
      if (i % 3 === 0) breaker.onFailure()
      else breaker.onSuccess()
    }
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', window_requests: 100, window_failures: 34 })
  })

  it('compares the ratio without float drift (7 in 100 reaches 7%)', () => {
    const { breaker } = setup({ ...rateOnly, error_rate: 0.07, min_requests: 100 })
    for (let i = 0; i < 93; i++) breaker.onSuccess()
    for (let i = 0; i < 6; i++) breaker.onFailure()
    expect(breaker.state).toBe('closed')
    breaker.onFailure()
    expect(breaker.state).toBe('open')
  })

  it('forgets failures older than the window', () => {
    const { breaker, clock } = setup(rateOnly)
    for (let i = 0; i < 9; i++) breaker.onFailure()
    clock.advance(9_999) // slices are window_s / 10 = 1 s: the failures at 0 s are still in
    expect(breaker.snapshot()).toMatchObject({ window_requests: 9, window_failures: 9 })
    clock.advance(1)
    expect(breaker.snapshot()).toMatchObject({ window_requests: 0, window_failures: 0 })
    breaker.onFailure() // 1 of 1, but below min_requests
    expect(breaker.state).toBe('closed')
  })

  it('slides a slice at a time', () => {
    const { breaker, clock } = setup(never)
    for (let second = 0; second < 15; second++) {
      breaker.onFailure()
      clock.advance(1_000)
    }
    clock.advance(-1_000) // back to the last failure, at 14 s: slices 5..14 are in the window
    expect(breaker.snapshot()).toMatchObject({ window_requests: 10, window_failures: 10 })
  })

  it('ignores abandoned calls', () => {
    const { breaker } = setup()
    breaker.tryAcquire()
    breaker.onAbandon()
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', window_requests: 0, consecutive_failures: 0 })
  })
})

describe('CircuitBreaker: open', () => {
  it('rejects every call until the cooldown has passed', () => {
    const { breaker, clock } = setup()
    openBreaker(breaker)
    expect(breaker.tryAcquire()).toBe(false)
    clock.advance(29_999)
    expect(breaker.tryAcquire()).toBe(false)
    expect(breaker.state).toBe('open')
  })

  it('says when it opened and when it will let a probe through', () => {
    const { breaker, clock } = setup()
    clock.advance(1_500)
    openBreaker(breaker)
    expect(breaker.snapshot()).toEqual({
      state: 'open',
      consecutive_failures: 3,
      window_requests: 3,
      window_failures: 3,
      opened_at: '2026-01-01T00:00:01.500Z',
      retry_at: '2026-01-01T00:00:31.500Z',
    })
  })

  it('ignores late outcomes of calls admitted before it opened', () => {
    const { breaker, clock } = setup()
    openBreaker(breaker)
    clock.advance(5_000)
    breaker.onFailure() // must not push the cooldown back
    breaker.onSuccess() // must not close it early
    expect(breaker.snapshot()).toMatchObject({
      state: 'open',
      consecutive_failures: 3,
      window_requests: 3,
      window_failures: 3,
      retry_at: '2026-01-01T00:00:30.000Z',
    })
    clock.advance(25_000)
    expect(breaker.state).toBe('half_open')
  })
})

describe('CircuitBreaker: half-open', () => {
  function halfOpen(s: BreakerSettings = settings) {
    const { breaker, clock } = setup(s)
    openBreaker(breaker, s)
    clock.advance(s.cooldown_s * 1000)
    return { breaker, clock }
  }

  it('reports half_open once the cooldown has passed, without anyone asking to call', () => {
    const { breaker } = halfOpen()
    expect(breaker.state).toBe('half_open')
    const snapshot = breaker.snapshot()
    expect(snapshot.state).toBe('half_open')
    expect(snapshot.opened_at).toBe('2026-01-01T00:00:00.000Z')
    expect(snapshot.retry_at).toBeUndefined()
  })

  it('lets exactly one probe through', () => {
    const { breaker, clock } = halfOpen()
    expect(breaker.tryAcquire()).toBe(true)
    expect(breaker.tryAcquire()).toBe(false)
    clock.advance(60_000) // however long the probe takes
    expect(breaker.tryAcquire()).toBe(false)
    expect(breaker.state).toBe('half_open')
  })

  it('lets one probe through when it is the first call after the cooldown', () => {
    const { breaker, clock } = setup()
    openBreaker(breaker)
    clock.advance(30_000)
    // No read of `state` in between: tryAcquire makes the open -> half-open step itself.
    expect(breaker.tryAcquire()).toBe(true)
    expect(breaker.tryAcquire()).toBe(false)
  })

  it('closes on a probe success and starts counting afresh', () => {
    const { breaker } = halfOpen()
    breaker.tryAcquire()
    breaker.onSuccess()
    expect(breaker.snapshot()).toEqual({
      state: 'closed',
      consecutive_failures: 0,
      window_requests: 0,
      window_failures: 0,
    })
    expect(breaker.tryAcquire()).toBe(true)
    expect(breaker.tryAcquire()).toBe(true)
    breaker.onFailure()
    breaker.onFailure()
    expect(breaker.state).toBe('closed')
  })

  it('does not re-open on the next failure because of the failures that opened it', () => {
    // A cooldown well inside the window, so the opening failures would still be counted.
    const s = { ...rateOnly, min_requests: 4, cooldown_s: 1 }
    const { breaker, clock } = setup(s)
    for (let i = 0; i < 4; i++) breaker.onFailure()
    expect(breaker.state).toBe('open')
    clock.advance(1_000)
    breaker.tryAcquire()
    breaker.onSuccess()
    breaker.onFailure() // 1 of 1 in a fresh window, below min_requests
    expect(breaker.state).toBe('closed')
  })

  it('re-opens on a probe failure, for a new cooldown from the failure', () => {
    const { breaker, clock } = halfOpen()
    breaker.tryAcquire()
    clock.advance(2_000)
    breaker.onFailure()
    expect(breaker.snapshot()).toMatchObject({
      state: 'open',
      opened_at: '2026-01-01T00:00:32.000Z',
      retry_at: '2026-01-01T00:01:02.000Z',
    })
    expect(breaker.tryAcquire()).toBe(false)
    clock.advance(29_999)
    expect(breaker.tryAcquire()).toBe(false)
    clock.advance(1)
    expect(breaker.tryAcquire()).toBe(true)
    expect(breaker.tryAcquire()).toBe(false)
  })

  it('frees the probe slot when the probe is abandoned, without judging', () => {
    const { breaker } = halfOpen()
    expect(breaker.tryAcquire()).toBe(true)
    breaker.onAbandon()
    expect(breaker.state).toBe('half_open')
    expect(breaker.tryAcquire()).toBe(true)
    expect(breaker.tryAcquire()).toBe(false)
    breaker.onSuccess()
    expect(breaker.state).toBe('closed')
  })
})

describe('CircuitBreaker: invariants (property)', () => {
  const arbSettings = fc.record({
    failure_threshold: fc.integer({ min: 1, max: 6 }),
    error_rate: fc.double({ min: 0.05, max: 1, noNaN: true }),
    min_requests: fc.integer({ min: 1, max: 12 }),
    window_s: fc.integer({ min: 1, max: 30 }),
    cooldown_s: fc.integer({ min: 1, max: 60 }),
  })
  const arbOp = fc.oneof(
    fc.record({ advanceMs: fc.integer({ min: 0, max: 20_000 }) }),
    fc.constantFrom('acquire', 'success', 'failure', 'abandon'),
  )

  it('an open breaker admits nothing before retry_at; a half-open one admits one probe at a time', () => {
    fc.assert(
      fc.property(arbSettings, fc.array(arbOp, { maxLength: 200 }), (s, ops) => {
        const clock = fakeClock()
        const breaker = new CircuitBreaker(s, clock.now)
        let isProbeOut = false
        for (const op of ops) {
          if (typeof op === 'object') {
            clock.advance(op.advanceMs)
            continue
          }
          const before = breaker.snapshot()
          if (op === 'acquire') {
            const isAdmitted = breaker.tryAcquire()
            if (before.state === 'closed') expect(isAdmitted).toBe(true)
            if (before.state === 'open') {
              expect(isAdmitted).toBe(false)
              expect(clock.now()).toBeLessThan(Date.parse(before.retry_at!))
            }
            if (before.state === 'half_open' && isAdmitted) {
              expect(isProbeOut).toBe(false)
              isProbeOut = true
            }
          } else {
            if (op === 'success') breaker.onSuccess()
            if (op === 'failure') breaker.onFailure()
            if (op === 'abandon') breaker.onAbandon()
            isProbeOut = false
            const after = breaker.snapshot()
            if (op === 'failure' && before.state !== 'closed') expect(after.state).toBe('open')
            if (op === 'failure' && after.consecutive_failures >= s.failure_threshold) {
              expect(after.state).toBe('open')
            }
            if (op === 'success' && before.state === 'half_open') expect(after.state).toBe('closed')
          }
        }
      }),
      { numRuns: 500 },
    )
  })

  it('counts the same outcomes as a naive log of every event in the last ten slices', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3_000 }), fc.boolean()), { maxLength: 300 }),
        (events) => {
          const clock = fakeClock()
          const breaker = new CircuitBreaker(never, clock.now)
          const log: Array<{ slice: number; isFailure: boolean }> = []
          for (const [advanceMs, isFailure] of events) {
            clock.advance(advanceMs)
            if (isFailure) breaker.onFailure()
            else breaker.onSuccess()
            log.push({ slice: Math.floor(clock.now() / 1_000), isFailure })
            const current = Math.floor(clock.now() / 1_000)
            const inWindow = log.filter((e) => e.slice > current - 10)
            expect(breaker.snapshot()).toMatchObject({
              state: 'closed',
              window_requests: inWindow.length,
              window_failures: inWindow.filter((e) => e.isFailure).length,
            })
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('BreakerRegistry', () => {
  it('keeps one breaker per target across calls', () => {
    const clock = fakeClock()
    const registry = new BreakerRegistry(clock.now)
    const a = registry.get('primary', settings)
    expect(registry.get('primary', settings)).toBe(a)
    expect(registry.get('backup', settings)).not.toBe(a)
    expect(registry.entries().map(([name]) => name)).toEqual(['primary', 'backup'])
    expect(registry.entries()[0]![1]).toBe(a)
  })

  it('keeps state and counts when a reload hands it equal settings in a new object', () => {
    const clock = fakeClock()
    const registry = new BreakerRegistry(clock.now)
    const breaker = registry.get('primary', settings)
    breaker.onFailure()
    breaker.onFailure()
    expect(registry.get('primary', { ...settings })).toBe(breaker)
    expect(breaker.snapshot()).toMatchObject({ consecutive_failures: 2, window_requests: 2 })
    breaker.onFailure()
    expect(breaker.state).toBe('open')
  })

  it('keeps an open breaker open under changed settings, and applies them', () => {
    const clock = fakeClock()
    const registry = new BreakerRegistry(clock.now)
    openBreaker(registry.get('primary', settings))
    const reloaded = { ...settings, cooldown_s: 5, failure_threshold: 1 }
    const breaker = registry.get('primary', reloaded)
    expect(breaker.settings).toBe(reloaded)
    expect(breaker.snapshot()).toMatchObject({ state: 'open', retry_at: '2026-01-01T00:00:05.000Z' })
    clock.advance(5_000)
    expect(breaker.tryAcquire()).toBe(true)
    breaker.onSuccess()
    breaker.onFailure() // the new threshold of 1
    expect(breaker.state).toBe('open')
  })

  it('restarts only the window when window_s changes', () => {
    const clock = fakeClock()
    const registry = new BreakerRegistry(clock.now)
    const breaker = registry.get('primary', settings)
    breaker.onFailure()
    breaker.onFailure()
    registry.get('primary', { ...settings, window_s: 60 })
    expect(breaker.snapshot()).toMatchObject({
      state: 'closed',
      consecutive_failures: 2,
      window_requests: 0,
    })
    breaker.onFailure()
    expect(breaker.state).toBe('open')
  })

  it('drops the breakers of targets no longer configured', () => {
    const clock = fakeClock()
    const registry = new BreakerRegistry(clock.now)
    openBreaker(registry.get('primary', settings))
    registry.get('backup', settings)
    registry.get('old', settings)
    registry.retain(new Set(['backup', 'new']))
    expect(registry.entries().map(([name]) => name)).toEqual(['backup'])
    registry.retain(['primary', 'backup'])
    expect(registry.get('primary', settings).state).toBe('closed')
  })

  it('shares its clock with every breaker', () => {
    const clock = fakeClock()
    const registry = new BreakerRegistry(clock.now)
    const breaker = registry.get('primary', settings)
    openBreaker(breaker)
    clock.advance(30_000)
    expect(breaker.state).toBe('half_open')
  })
})
