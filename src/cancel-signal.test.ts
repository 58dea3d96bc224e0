import { describe, expect, it } from 'vitest'
import { CancelSignal } from './cancel-signal.js'

describe('CancelSignal', () => {
  it('aborts once, with its first reason, and calls each listener once', () => {
    const signal = new CancelSignal()
    const calls: string[] = []
    signal.addEventListener('abort', () => calls.push('a'))
    signal.addEventListener('abort', () => calls.push('b'))
    signal.abort('first')
    signal.abort('second')
    expect(signal.aborted).toBe(true)
    expect(signal.reason).toBe('first')
    expect(calls).toEqual(['a', 'b'])
  })

  it('does not call a removed listener', () => {
    const signal = new CancelSignal()
    let calls = 0
    const listener = () => calls++
    signal.addEventListener('abort', listener)
    signal.removeEventListener('abort', listener)
    signal.abort(new Error('gone'))
    expect(calls).toBe(0)
  })

  it('gives a real AbortSignal that follows it, before or after the abort', () => {
    const early = new CancelSignal()
    const signal = early.toAbortSignal()
    expect(signal.aborted).toBe(false)
    early.abort('stop')
    expect(signal.aborted).toBe(true)
    expect(signal.reason).toBe('stop')

    const late = new CancelSignal()
    late.abort('already')
    expect(late.toAbortSignal().reason).toBe('already')
  })
})
