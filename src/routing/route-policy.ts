import type { ResolvedConfig, ResolvedRoute } from '../config/load.js'
import type { BreakerConfig, FallbackFailure, RetryConfig, TimeoutsConfig } from '../config/schema.js'

/** The retry, timeout and fallback settings of one request: the route's, over the global ones. */
export interface RoutePolicy {
  retry: RetryConfig
  timeouts: TimeoutsConfig
  breaker: BreakerConfig
  fallbackOn: ReadonlySet<FallbackFailure>
  typicalOutputTokens: number
  maxCostUsd?: number | undefined
}

export function routePolicy(config: ResolvedConfig, route: ResolvedRoute | undefined): RoutePolicy {
  const { routing } = config
  return {
    retry: { ...routing.retry, ...route?.retry },
    timeouts: { ...routing.timeouts, ...route?.timeouts },
    breaker: routing.breaker,
    fallbackOn: new Set(route?.fallback_on ?? routing.fallback_on),
    typicalOutputTokens: route?.typical_output_tokens ?? routing.typical_output_tokens,
    maxCostUsd: route?.max_cost_usd,
  }
}
