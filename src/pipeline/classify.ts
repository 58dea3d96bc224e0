import { GatewayError } from '../errors.js'
import { exceeds, higher } from '../protect/data-policy.js'
import { RequestProtection } from '../protect/request-protection.js'
import type { Stage } from './stage.js'

/**
 * Classify: scan every text of the request (messages, tool results, tool arguments, embeddings
 * input) for personal data and secrets. The sensitivity is the highest of the caller's
 * declaration, the tenant's floor (both applied by authorize) and what was found, through the
 * entity-type mapping in `protect.levels`. A tenant's `max_sensitivity` is checked again here,
 * against what was found.
 */
export const classify = (): Stage => ({
  name: 'classify',
  async run(ctx, next) {
    const protector = ctx.runtime.protect
    if (!protector) return next()
    const scan = await protector.scan(ctx.body)
    const base = ctx.sensitivity
    ctx.sensitivity = higher(base, protector.policy.detectedLevel(scan.types)) ?? 'public'
    ctx.protection = new RequestProtection(scan, base, protector, ctx.tenant ?? '')
    ctx.responseHeaders['x-gatehouse-sensitivity'] = ctx.sensitivity
    const max = ctx.tenant === undefined ? undefined : ctx.runtime.tenant(ctx.tenant)?.max_sensitivity
    if (exceeds(ctx.sensitivity, max)) {
      throw new GatewayError(
        'data_policy_denied',
        `This request is ${ctx.sensitivity} (found: ${Object.keys(scan.counts).join(', ')}); tenant ${ctx.tenant} may send at most ${max} data.`,
      )
    }
    return next()
  },
})
