export interface DeadlineSettings {
  /** The whole attempt. */
  totalMs: number
  /** Until `firstByte()`. */
  ttfbMs?: number | undefined
  /** After the first byte, the longest gap between two `touch()`es. */
  idleMs?: number | undefined
}

export type DeadlineKind = 'total' | 'ttfb' | 'idle'

/**
 * The abort signal of one upstream attempt: it fires when the caller goes away or when one of
 * the attempt's deadlines passes (total, time to first byte, stream idle), and says which. One
 * controller, at most two timers and one listener, released when the attempt ends. (Composing
 * `AbortSignal.any` with `AbortSignal.timeout` costs about three times as much per call, and on
 * Node 20 those signals live until a full GC, which inflates RSS.)
 */
export class CallDeadline {
  readonly #controller = new AbortController()
  readonly #caller: AbortSignal
  readonly #total: NodeJS.Timeout
  readonly #idleMs: number | undefined
  #phase: NodeJS.Timeout | undefined
  #expired: DeadlineKind | undefined

  constructor(caller: AbortSignal, settings: DeadlineSettings) {
    this.#caller = caller
    this.#idleMs = settings.idleMs
    this.#total = setTimeout(() => this.#expire('total'), settings.totalMs)
    if (settings.ttfbMs !== undefined) this.#phase = setTimeout(() => this.#expire('ttfb'), settings.ttfbMs)
    if (caller.aborted) this.#controller.abort(caller.reason)
    else caller.addEventListener('abort', this.#forward, { once: true })
  }

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  /** Which deadline fired, if one did. */
  get expired(): DeadlineKind | undefined {
    return this.#expired
  }

  get isTimedOut(): boolean {
    return this.#expired !== undefined
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
    this.#controller.abort(this.#caller.reason)
  }

  #expire(kind: DeadlineKind): void {
    if (this.#controller.signal.aborted) return
    this.#expired = kind
    this.release()
    this.#controller.abort(new Error(`upstream ${kind} deadline passed`))
  }
}
