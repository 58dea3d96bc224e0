import { describe, expect, it } from 'vitest'
import { CallDeadline } from './call-deadline.js'

describe('CallDeadline', () => {
  it('aborts when the deadline passes, and says so', async () => {
    const deadline = new CallDeadline(new AbortController().signal, 10)
    await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve))
    expect(deadline.isTimedOut).toBe(true)
  })

  it('forwards the caller’s abort with its reason, not as a timeout', () => {
    const caller = new AbortController()
    const deadline = new CallDeadline(caller.signal, 60_000)
    caller.abort(new Error('client went away'))
    expect(deadline.signal.aborted).toBe(true)
    expect((deadline.signal.reason as Error).message).toBe('client went away')
    expect(deadline.isTimedOut).toBe(false)
    deadline.release()
  })

  it('starts aborted when the caller already gave up', () => {
    const caller = new AbortController()
    caller.abort()
    expect(new CallDeadline(caller.signal, 60_000).signal.aborted).toBe(true)
  })

  it('after release, neither the timer nor the caller aborts it', async () => {
    const caller = new AbortController()
    const deadline = new CallDeadline(caller.signal, 10)
    deadline.release()
    caller.abort()
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(deadline.signal.aborted).toBe(false)
  })
})
