import { CancelSignal } from '../cancel-signal.js'

export interface DeadlineSettings {
  /** The whole call; none when undefined; a budget already spent (<= 0) expires at once. */
  totalMs?: number | undefined
  /** Until `firstByte()`. */
  ttfbMs?: number | undefined
  /** After the first byte, the longest gap between two `touch()`es. */
  idleMs?: number | undefined
}

export type DeadlineKind = 'total' | 'ttfb' | 'idle'

/**
 * The cancel signal of one upstream attempt: it fires when the caller goes away or when one of
 * the attempt's deadlines passes (total, time to first byte, stream idle), and says which. One
 * signal, at most two timers and one listener, released when the attempt ends. Not an
 * AbortController: on Node 20 an AbortSignal is promoted to old space even when it dies young,
 * which under load grew old space by tens of MB between major GCs (see CancelSignal).
 */
export class CallDeadline {
  readonly #signal = new CancelSignal()
  readonly #caller: CancelSignal
  readonly #total: NodeJS.Timeout | undefined
  readonly #idleMs: number | undefined
  #phase: NodeJS.Timeout | undefined
  #expired: DeadlineKind | undefined

  constructor(caller: CancelSignal, settings: DeadlineSettings) {
    this.#caller = caller
    this.#idleMs = settings.idleMs
    if (settings.ttfbMs !== undefined) this.#phase = setTimeout(() => this.#expire('ttfb'), settings.ttfbMs)
    if (caller.aborted) this.#signal.abort(caller.reason)
    else caller.addEventListener('abort', this.#forward)
    const { totalMs } = settings
    if (totalMs !== undefined && totalMs <= 0) this.#expire('total')
    else if (totalMs !== undefined) this.#total = setTimeout(() => this.#expire('total'), totalMs)
  }

  get signal(): CancelSignal {
    return this.#signal
  }

  /** Which deadline fired, if one did. */
  get expired(): DeadlineKind | undefined {
    return this.#expired
  }

  /** The first byte (event) arrived: the TTFB deadline is met; the idle deadline starts. */
  firstByte(): void {
    clearTimeout(this.#phase)
    this.#phase =
      this.#idleMs === undefined ? undefined : setTimeout(() => this.#expire('idle'), this.#idleMs)
  }

  /** Another byte (event) arrived: restart the idle deadline. */
  touch(): void {
    this.#phase?.refresh()
  }

  /** The attempt is over: drop the timers and the listener on the caller's signal. */
  release(): void {
    clearTimeout(this.#total)
    clearTimeout(this.#phase)
    this.#caller.removeEventListener('abort', this.#forward)
  }

  readonly #forward = (): void => {
    this.#signal.abort(this.#caller.reason)
  }

  #expire(kind: DeadlineKind): void {
    if (this.#signal.aborted) return
    this.#expired = kind
    this.release()
    this.#signal.abort(new Error(`upstream ${kind} deadline passed`))
  }
}
