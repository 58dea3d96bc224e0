import type { CancelSignal } from '../cancel-signal.js'

/**
 * The data-plane requests whose handlers have not returned yet, by their cancellation: a shutdown
 * past its deadline cuts them all, and waits until the last handler has returned (its answer's
 * bookkeeping is queued by then, see `answerHandedOver`) before closing what they write to.
 */
export class InFlightRequests {
  readonly #signals = new Set<CancelSignal>()
  #waiters: Array<() => void> = []

  get size(): number {
    return this.#signals.size
  }

  add(signal: CancelSignal): void {
    this.#signals.add(signal)
  }

  delete(signal: CancelSignal): void {
    this.#signals.delete(signal)
    if (this.#signals.size > 0 || this.#waiters.length === 0) return
    const waiters = this.#waiters
    this.#waiters = []
    for (const resolve of waiters) resolve()
  }

  /** Cuts every request still running. */
  abortAll(reason: Error): void {
    for (const signal of this.#signals) signal.abort(reason)
  }

  /** Resolves when no request is running: at once if none is. */
  idle(): Promise<void> {
    if (this.#signals.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push(resolve))
  }
}
