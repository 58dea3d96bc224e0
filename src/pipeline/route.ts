import { planRoute } from '../routing/plan-route.js'
import type { RoutingDeps } from '../routing/routing-deps.js'
import type { Stage } from './stage.js'

/** Route: rules, strategy and eligibility turn the requested name into ordered targets and a trace. */
export const route = (deps: RoutingDeps): Stage => ({
  name: 'route',
  async run(ctx, next) {
    const plan = await planRoute(ctx, ctx.runtime, deps)
    ctx.targets = plan.targets
    ctx.trace = plan.trace
    ctx.policy = plan.policy
    return next()
  },
})
