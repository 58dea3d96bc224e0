import { describe, expect, it } from 'vitest'
import { CancelSignal } from '../cancel-signal.js'
import { CallDeadline } from './call-deadline.js'

const aborted = (deadline: CallDeadline) =>
  new Promise((resolve) => deadline.signal.addEventListener('abort', () => resolve(undefined)))

describe('CallDeadline', () => {
  it('aborts when the total deadline passes, and says so', async () => {
    const deadline = new CallDeadline(new CancelSignal(), { totalMs: 10 })
    await aborted(deadline)
    expect(deadline.expired).toBe('total')
  })

  it('aborts when the first byte is late', async () => {
    const deadline = new CallDeadline(new CancelSignal(), { totalMs: 10_000, ttfbMs: 10 })
    await aborted(deadline)
    expect(deadline.expired).toBe('ttfb')
    deadline.release()
  })

  it('after the first byte, aborts on silence longer than idle, not before', async () => {
    const deadline = new CallDeadline(new CancelSignal(), {
      totalMs: 10_000,
      ttfbMs: 30,
      idleMs: 40,
    })
    deadline.firstByte()
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      deadline.touch()
    }
    expect(deadline.signal.aborted).toBe(false)
    await aborted(deadline)
    expect(deadline.expired).toBe('idle')
  })

  it('without a total, only the caller or the phase timers end it', async () => {
    const deadline = new CallDeadline(new CancelSignal(), {})
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(deadline.signal.aborted).toBe(false)
    deadline.release()
  })

  it('a budget already spent expires at once, before any timer runs', () => {
    const deadline = new CallDeadline(new CancelSignal(), { totalMs: -3 })
    expect(deadline.expired).toBe('total')
    expect(deadline.signal.aborted).toBe(true)
  })

  it('forwards the caller’s abort with its reason, not as a timeout', () => {
    const caller = new CancelSignal()
    const deadline = new CallDeadline(caller, { totalMs: 60_000 })
    caller.abort(new Error('client went away'))
    expect(deadline.signal.aborted).toBe(true)
    expect((deadline.signal.reason as Error).message).toBe('client went away')
    expect(deadline.expired).toBeUndefined()
    deadline.release()
  })

  it('starts aborted when the caller already gave up', () => {
    const caller = new CancelSignal()
    caller.abort(new Error('gone'))
    const deadline = new CallDeadline(caller, { totalMs: 60_000 })
    expect(deadline.signal.aborted).toBe(true)
    deadline.release()
  })

  it('after release, neither a timer nor the caller aborts it', async () => {
    const caller = new CancelSignal()
    const deadline = new CallDeadline(caller, { totalMs: 10, ttfbMs: 5 })
    deadline.release()
    caller.abort(new Error('gone'))
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(deadline.signal.aborted).toBe(false)
  })
})
