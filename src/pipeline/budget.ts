import { BudgetExceeded, type BudgetSubject, type Budgets } from '../budgets/budgets.js'
import type { ChatBody } from '../providers/types.js'
import { estimateCostUsd, expectedOutputTokens } from '../routing/estimate-cost.js'
import { upperBoundTokens } from '../routing/estimate-tokens.js'
import type { RoutingMetrics } from '../routing/routing-deps.js'
import type { RequestContext } from './context.js'
import type { Stage } from './stage.js'
import { afterMetering, whenDone } from './when-done.js'

/**
 * Budget: reserve the call's estimated cost on the tenant's and the key's budgets before any
 * provider is called, and settle it with the metered cost when the call (or its stream) is over.
 * The estimate is pessimistic: an upper bound of the input tokens (UTF-8 bytes), the caller's
 * output cap or the route's typical output, at the dearest of the planned targets.
 */
export const budget = (budgets: Budgets, metrics: RoutingMetrics): Stage => ({
  name: 'budget',
  async run(ctx, next) {
    const subjects = subjectsOf(ctx)
    if (subjects.length === 0) return next()
    const reservation = await budgets.reserve(subjects, estimateUsd(ctx)).catch((err: unknown) => {
      if (err instanceof BudgetExceeded) metrics.rejected('budget', err.scope)
      throw err
    })
    const settle = () =>
      afterMetering(ctx, () => {
        budgets
          .settle(reservation, ctx.costUsd ?? 0)
          .catch((err) => ctx.log.error({ err }, 'budget settlement failed'))
      })
    return whenDone(next, settle)
  },
})

function subjectsOf(ctx: RequestContext): BudgetSubject[] {
  const principal = ctx.principal!
  const subjects: BudgetSubject[] = []
  const tenantBudget = ctx.runtime.tenant(principal.tenant)?.budget
  if (tenantBudget) {
    subjects.push({
      scope: 'tenant',
      subject: principal.tenant,
      label: `tenant ${principal.tenant}`,
      tenant: principal.tenant,
      budget: tenantBudget,
    })
  }
  if (principal.budget) {
    subjects.push({
      scope: 'key',
      subject: principal.keyId,
      label: `key '${principal.keyName}'`,
      tenant: principal.tenant,
      budget: principal.budget,
    })
  }
  return subjects
}

function estimateUsd(ctx: RequestContext): number {
  if (ctx.operation !== 'chat') {
    // No token is shorter than a byte: the body's size bounds the input.
    const tokens = ctx.bodyBytes ?? JSON.stringify(ctx.body).length
    return Math.max(0, ...ctx.targets.map((t) => estimateCostUsd(t.model.price, tokens, 0) ?? 0))
  }
  const body = ctx.body as ChatBody
  const input = upperBoundTokens(body)
  const output = expectedOutputTokens(body, ctx.policy?.typicalOutputTokens ?? 256)
  return Math.max(0, ...ctx.targets.map((t) => estimateCostUsd(t.model.price, input, output) ?? 0))
}
