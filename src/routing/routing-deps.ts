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
  sleep: (ms: number, signal: AbortSignal) => Promise<void>
}
