interface Entry {
  inFlight: number
  latencyMs: number | undefined
  sampledAtMs: number
}

/**
 * What `least-latency` and `least-busy` choose by: per target, the calls in flight from this
 * process and a latency average whose old samples fade with a half-life, so a target that was
 * slow an hour ago is not punished forever. Latency is time to first event for streams and the
 * whole call otherwise; a failed attempt counts as a slow one.
 */
export class TargetStats {
  readonly #entries = new Map<string, Entry>()
  readonly #now: () => number
  #halfLifeMs: number

  constructor(now: () => number, halfLifeS: number) {
    this.#now = now
    this.#halfLifeMs = halfLifeS * 1000
  }

  set halfLifeS(value: number) {
    this.#halfLifeMs = value * 1000
  }

  begin(target: string): void {
    this.#entry(target).inFlight++
  }

  /** End a call begun with `begin`; `latencyMs` undefined when there is nothing to learn (caller left). */
  end(target: string, latencyMs: number | undefined): void {
    const entry = this.#entry(target)
    entry.inFlight = Math.max(0, entry.inFlight - 1)
    if (latencyMs === undefined) return
    const now = this.#now()
    if (entry.latencyMs === undefined) {
      entry.latencyMs = latencyMs
    } else {
      // The weight of the old average halves every half-life, and never exceeds 0.8 so a single
      // sample always moves it.
      const keep = Math.min(0.8, 0.5 ** ((now - entry.sampledAtMs) / this.#halfLifeMs))
      entry.latencyMs = keep * entry.latencyMs + (1 - keep) * latencyMs
    }
    entry.sampledAtMs = now
  }

  inFlight(target: string): number {
    return this.#entries.get(target)?.inFlight ?? 0
  }

  /** Undefined for a target never measured (or measured so long ago that the sample is void). */
  latencyMs(target: string): number | undefined {
    const entry = this.#entries.get(target)
    if (entry?.latencyMs === undefined) return undefined
    return this.#now() - entry.sampledAtMs > 10 * this.#halfLifeMs ? undefined : entry.latencyMs
  }

  #entry(target: string): Entry {
    let entry = this.#entries.get(target)
    if (!entry) {
      entry = { inFlight: 0, latencyMs: undefined, sampledAtMs: 0 }
      this.#entries.set(target, entry)
    }
    return entry
  }
}
