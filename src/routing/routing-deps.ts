import type { CancelSignal } from '../cancel-signal.js'
import type { BreakerRegistry } from './circuit-breaker.js'
import type { TokenEstimator } from './estimate-tokens.js'
import type { TargetStats } from './target-stats.js'

/**
 * What routing and execution keep between requests and across config reloads, and the clock,
 * randomness and sleep they use, injected so tests can be deterministic.
 */
export interface RoutingDeps {
  breakers: BreakerRegistry
  stats: TargetStats
  tokens: TokenEstimator
  random: () => number
  /** Monotonic milliseconds (performance.now in production). */
  now: () => number
  sleep: (ms: number, signal: CancelSignal) => Promise<void>
  metrics: RoutingMetrics
}

/** What execute reports as it goes; the Prometheus implementation lives in observability/. */
export interface RoutingMetrics {
  /** One upstream attempt; `durationMs` until its answer (a stream: until its first event). */
  attempt(target: string, outcome: string, durationMs?: number): void
  /** A finished request, for the duration, time-to-first-token and error histograms. */
  request(done: {
    model: string
    tenant: string
    status: number
    errorKind: string | undefined
    durationMs: number
    ttftMs: number | undefined
  }): void
  retry(target: string): void
  fallback(target: string): void
  /** A call refused by a limit, budget or the loop guard. */
  rejected(reason: 'rate_limit' | 'concurrency' | 'budget' | 'loop', scope: string): void
  /** What data protection did to a request: its level, values redacted per type, guardrail verdicts. */
  protected(done: {
    tenant: string
    sensitivity: string
    redactions: Readonly<Record<string, number>> | undefined
    verdicts: ReadonlyArray<{ rule: string; action: string }> | undefined
  }): void
  /** A call's tokens and cost, once metered. */
  metered(
    target: string,
    tenant: string,
    usage: { input: number; output: number },
    usd: number | undefined,
  ): void
}
