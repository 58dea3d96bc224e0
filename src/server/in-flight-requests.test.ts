import { describe, expect, it } from 'vitest'
import { CancelSignal } from '../cancel-signal.js'
import { InFlightRequests } from './in-flight-requests.js'

describe('InFlightRequests', () => {
  it('is idle at once when nothing runs, and when the last request ends, not before', async () => {
    const requests = new InFlightRequests()
    await requests.idle()
    const [a, b] = [new CancelSignal(), new CancelSignal()]
    requests.add(a)
    requests.add(b)
    let isIdle = false
    const idle = requests.idle().then(() => {
      isIdle = true
    })
    requests.delete(a)
    await Promise.resolve()
    expect(isIdle).toBe(false)
    expect(requests.size).toBe(1)
    requests.delete(b)
    await idle
    expect(isIdle).toBe(true)
  })

  it('cuts every running request with the reason given', () => {
    const requests = new InFlightRequests()
    const signals = [new CancelSignal(), new CancelSignal()]
    for (const s of signals) requests.add(s)
    const reason = new Error('gateway shutting down')
    requests.abortAll(reason)
    expect(signals.map((s) => [s.aborted, s.reason])).toEqual([
      [true, reason],
      [true, reason],
    ])
  })
})
