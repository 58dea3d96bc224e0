export interface BreakerSettings {
  /** Consecutive failures that open the breaker. */
  failure_threshold: number
  /** 0..1: the breaker opens when the failure ratio in the window reaches it... */
  error_rate: number
  /** ...once the window holds at least this many outcomes, so one early failure is not a 100% rate. */
  min_requests: number
  window_s: number
  /** How long an open breaker rejects before it lets one probe through. */
  cooldown_s: number
}

export type BreakerState = 'closed' | 'open' | 'half_open'

export interface BreakerSnapshot {
  state: BreakerState
  consecutive_failures: number
  window_requests: number
  window_failures: number
  opened_at?: string
  retry_at?: string
}

/**
 * The breaker of one target: closed lets everything through; enough failures open it, and an open
 * breaker rejects until `cooldown_s` has passed; then it is half-open and lets exactly one probe
 * through, whose outcome closes it or opens it again for another cooldown.
 *
 * Every `tryAcquire()` that returns true must be settled by exactly one of `onSuccess`,
 * `onFailure` or `onAbandon`; a probe never settled would keep the target half-open for good.
 * The breaker cannot tell the probe from a call admitted before it opened, so in half-open any
 * outcome counts as the probe's: a late failure re-opens, a late success closes, and a late
 * abandon frees the slot, so at worst two probes overlap.
 */
export class CircuitBreaker {
  #settings: BreakerSettings
  readonly #now: () => number
  #window: OutcomeWindow
  #state: BreakerState = 'closed'
  #consecutiveFailures = 0
  #openedAtMs = 0
  #isProbeOut = false

  constructor(settings: BreakerSettings, now: () => number) {
    this.#settings = settings
    this.#now = now
    this.#window = new OutcomeWindow(settings.window_s)
  }

  get settings(): BreakerSettings {
    return this.#settings
  }

  /**
   * Applies reloaded settings without forgetting what the breaker has seen: an open breaker stays
   * open (its cooldown now measured with the new `cooldown_s`), counts carry over. Only a new
   * `window_s` restarts the window, since buckets of another width cannot be added up.
   */
  reconfigure(settings: BreakerSettings): void {
    if (settings.window_s !== this.#settings.window_s) this.#window = new OutcomeWindow(settings.window_s)
    this.#settings = settings
  }

  /** Open breakers turn half-open when asked after their cooldown, not on a timer. */
  get state(): BreakerState {
    return this.#refresh(this.#now())
  }

  tryAcquire(): boolean {
    const state = this.#refresh(this.#now())
    if (state === 'closed') return true
    if (state === 'open' || this.#isProbeOut) return false
    this.#isProbeOut = true
    return true
  }

  onSuccess(): void {
    const nowMs = this.#now()
    const state = this.#refresh(nowMs)
    // Late outcomes of calls admitted before the breaker opened do not shorten the cooldown.
    if (state === 'open') return
    if (state === 'half_open') {
      this.#close()
      return
    }
    this.#consecutiveFailures = 0
    this.#window.record(nowMs, false)
  }

  onFailure(): void {
    const nowMs = this.#now()
    const state = this.#refresh(nowMs)
    // Nor do they lengthen it: the breaker has already judged this target.
    if (state === 'open') return
    this.#consecutiveFailures++
    this.#window.record(nowMs, true)
    if (state === 'half_open' || this.#isFailing(nowMs)) this.#open(nowMs)
  }

  /** A call that ended neither way (the client went away): frees the probe slot, judges nothing. */
  onAbandon(): void {
    this.#isProbeOut = false
  }

  snapshot(): BreakerSnapshot {
    const nowMs = this.#now()
    const state = this.#refresh(nowMs)
    const { requests, failures } = this.#window.totals(nowMs)
    const snapshot: BreakerSnapshot = {
      state,
      consecutive_failures: this.#consecutiveFailures,
      window_requests: requests,
      window_failures: failures,
    }
    if (state !== 'closed') snapshot.opened_at = new Date(this.#openedAtMs).toISOString()
    if (state === 'open') snapshot.retry_at = new Date(this.#retryAtMs()).toISOString()
    return snapshot
  }

  #refresh(nowMs: number): BreakerState {
    if (this.#state === 'open' && nowMs >= this.#retryAtMs()) {
      this.#state = 'half_open'
      this.#isProbeOut = false
    }
    return this.#state
  }

  #retryAtMs(): number {
    return this.#openedAtMs + this.#settings.cooldown_s * 1000
  }

  #isFailing(nowMs: number): boolean {
    const { failure_threshold, error_rate, min_requests } = this.#settings
    if (this.#consecutiveFailures >= failure_threshold) return true
    const { requests, failures } = this.#window.totals(nowMs)
    // Divide rather than multiply: 7 / 100 rounds to the same double as the literal 0.07, whereas
    // 0.07 * 100 is 7.000000000000001 and would let 7 failures in 100 slip under a 7% threshold.
    return requests > 0 && requests >= min_requests && failures / requests >= error_rate
  }

  #open(nowMs: number): void {
    this.#state = 'open'
    this.#openedAtMs = nowMs
    this.#isProbeOut = false
  }

  #close(): void {
    this.#state = 'closed'
    this.#consecutiveFailures = 0
    this.#isProbeOut = false
    // The failures that opened the breaker would otherwise re-open it on the next failure.
    this.#window.clear()
  }
}

const BUCKETS = 10

/**
 * Outcomes of the last `window_s`, in a ring of BUCKETS fixed slices: O(1) per event, fixed memory.
 * The window slides a slice at a time, so it covers between 90% and 100% of `window_s`.
 */
class OutcomeWindow {
  readonly #widthMs: number
  /** Which slice of time (now / width) each slot holds; a stale slot is reused, not summed. */
  readonly #slice = new Float64Array(BUCKETS).fill(Number.NEGATIVE_INFINITY)
  readonly #requests = new Float64Array(BUCKETS)
  readonly #failures = new Float64Array(BUCKETS)

  constructor(windowS: number) {
    // At least 1 ms, so a zero window cannot turn every slice index into Infinity.
    this.#widthMs = Math.max(1, (windowS * 1000) / BUCKETS)
  }

  record(nowMs: number, isFailure: boolean): void {
    const slice = Math.floor(nowMs / this.#widthMs)
    const slot = ((slice % BUCKETS) + BUCKETS) % BUCKETS
    if (this.#slice[slot] !== slice) {
      this.#slice[slot] = slice
      this.#requests[slot] = 0
      this.#failures[slot] = 0
    }
    this.#requests[slot]!++
    if (isFailure) this.#failures[slot]!++
  }

  totals(nowMs: number): { requests: number; failures: number } {
    const current = Math.floor(nowMs / this.#widthMs)
    let requests = 0
    let failures = 0
    for (let slot = 0; slot < BUCKETS; slot++) {
      const age = current - this.#slice[slot]!
      // A negative age is a slice from the future: the clock stepped back. Ignore it until reused.
      if (age >= 0 && age < BUCKETS) {
        requests += this.#requests[slot]!
        failures += this.#failures[slot]!
      }
    }
    return { requests, failures }
  }

  clear(): void {
    this.#slice.fill(Number.NEGATIVE_INFINITY)
  }
}

/**
 * One breaker per target name, kept for the life of the process: a config reload hands `get` new
 * settings, and the breaker keeps its state under them.
 */
export class BreakerRegistry {
  readonly #now: () => number
  readonly #breakers = new Map<string, CircuitBreaker>()

  constructor(now: () => number) {
    this.#now = now
  }

  get(target: string, settings: BreakerSettings): CircuitBreaker {
    const existing = this.#breakers.get(target)
    if (existing !== undefined) {
      if (existing.settings !== settings) existing.reconfigure(settings)
      return existing
    }
    const breaker = new CircuitBreaker(settings, this.#now)
    this.#breakers.set(target, breaker)
    return breaker
  }

  entries(): Array<[string, CircuitBreaker]> {
    return [...this.#breakers]
  }

  /** Drops the breakers of targets no longer configured, so removed targets do not pile up. */
  retain(targets: Iterable<string>): void {
    const keep = new Set(targets)
    for (const target of this.#breakers.keys()) {
      if (!keep.has(target)) this.#breakers.delete(target)
    }
  }
}
