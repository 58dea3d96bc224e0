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

function routePolicy(config: ResolvedConfig, route: ResolvedRoute | undefined): RoutePolicy {
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

/**
 * What routing derives from the config alone, computed once per config version instead of on
 * every request: each route's merged policy (models share the global one) and which routes
 * order targets by price anywhere in their expansion (those need token counts).
 */
export interface RoutingTable {
  policy(name: string): RoutePolicy
  usesCheapest(name: string): boolean
}

export function createRoutingTable(config: ResolvedConfig): RoutingTable {
  const global = routePolicy(config, undefined)
  const policies = new Map(
    Object.values(config.routes).map((route) => [route.name, routePolicy(config, route)]),
  )
  const cheapest = new Set<string>()
  const isCheapest = (name: string): boolean => {
    const route = config.routes[name]
    return (
      route !== undefined &&
      (route.strategy === 'cheapest' || route.targets.some((t) => isCheapest(t.target)))
    )
  }
  for (const name of Object.keys(config.routes)) if (isCheapest(name)) cheapest.add(name)
  return {
    policy: (name) => policies.get(name) ?? global,
    usesCheapest: (name) => cheapest.has(name),
  }
}
