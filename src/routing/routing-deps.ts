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
  attempt(target: string, outcome: string): void
  retry(target: string): void
  fallback(target: string): void
  /** A call refused by a limit, budget or the loop guard. */
  rejected(reason: 'rate_limit' | 'concurrency' | 'budget' | 'loop', scope: string): void
  /** A call's tokens and cost, once metered. */
  metered(
    target: string,
    tenant: string,
    usage: { input: number; output: number },
    usd: number | undefined,
  ): void
}
