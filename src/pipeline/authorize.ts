import type { Principal } from '../auth/principal.js'
import { GatewayError } from '../errors.js'
import { exceeds, higher } from '../protect/data-policy.js'
import type { Stage } from './stage.js'

/**
 * Authorize: the model (or route) asked for must be allowed for the key and for its tenant, the
 * use case too where the tenant lists them. The tenant's sensitivity floor raises the declared
 * level; a declared level above the tenant's maximum is refused.
 */
export const authorize = (): Stage => ({
  name: 'authorize',
  async run(ctx, next) {
    const principal = ctx.principal!
    const tenant = ctx.runtime.tenant(principal.tenant)
    // Keys are checked against tenants when made; a JWT may name any tenant, so check it here.
    if (!tenant && principal.tenant !== ctx.runtime.config.auth.default_tenant) {
      throw new GatewayError(
        'forbidden',
        `Unknown tenant '${principal.tenant}': it is not configured under tenants.`,
      )
    }
    const model = ctx.body.model
    if (!mayUse(principal, tenant, model)) {
      throw new GatewayError(
        'forbidden',
        `The key '${principal.keyName}' (tenant ${principal.tenant}) may not use the model '${model}'.`,
        { param: 'model' },
      )
    }
    const useCase = ctx.meta.useCase
    if (tenant?.use_cases !== undefined && (useCase === undefined || !tenant.use_cases.includes(useCase))) {
      throw new GatewayError(
        'forbidden',
        `Tenant ${principal.tenant} requires x-gatehouse-use-case, one of: ${tenant.use_cases.join(', ')}.`,
      )
    }
    if (tenant?.sensitivity_floor !== undefined) {
      ctx.sensitivity = higher(ctx.sensitivity, tenant.sensitivity_floor)
    }
    if (exceeds(ctx.sensitivity, tenant?.max_sensitivity)) {
      throw new GatewayError(
        'forbidden',
        `Tenant ${principal.tenant} may not send ${ctx.sensitivity} data (its maximum is ${tenant?.max_sensitivity}).`,
      )
    }
    return next()
  },
})

/** Whether a key (within its tenant) may ask for this model or route. */
export function mayUse(
  principal: Principal,
  tenant: { models?: readonly string[] | undefined } | undefined,
  model: string,
): boolean {
  return (
    (principal.models === undefined || principal.models.includes(model)) &&
    (tenant?.models === undefined || tenant.models.includes(model))
  )
}
