import type { FastifyInstance } from 'fastify'
import { CancelSignal } from '../../cancel-signal.js'
import type { Sensitivity } from '../../config/schema.js'
import { SENSITIVITIES } from '../../config/schema.js'
import { GatewayError } from '../../errors.js'
import { parseChatBody } from '../../pipeline/ingress.js'
import { higher } from '../../protect/data-policy.js'
import { RequestProtection } from '../../protect/request-protection.js'
import type { Runtime } from '../../runtime.js'

/**
 * `POST /admin/protect/check`: what data protection would do with a chat request, without sending
 * it anywhere. For a security team testing its policy: the sensitivity, the entity types found,
 * the guardrail verdicts, and for each model the request could reach, whether the policy lets it
 * go there and the messages that model would receive. Admin only: the answer shows the transformed
 * text of the request it was sent.
 */
export function registerProtectRoutes(admin: FastifyInstance, runtime: () => Runtime): void {
  admin.post('/protect/check', async function checkProtection(request) {
    const current = runtime()
    const protector = current.protect
    if (!protector) throw new GatewayError('bad_request', 'Data protection is off (protect.enabled: false).')
    const { tenant: asked, sensitivity: declared, ...rest } = (request.body ?? {}) as Record<string, unknown>
    // Without a model, every chat model is shown.
    const model = typeof rest['model'] === 'string' && rest['model'] !== '' ? rest['model'] : '*'
    const body = parseChatBody({ ...rest, model })
    if (declared !== undefined && !(SENSITIVITIES as readonly unknown[]).includes(declared)) {
      throw new GatewayError('bad_request', `sensitivity: expected one of ${SENSITIVITIES.join(', ')}.`, {
        param: 'sensitivity',
      })
    }
    const tenantName = typeof asked === 'string' ? asked : current.config.auth.default_tenant
    const tenant = current.tenant(tenantName)
    const base = higher(declared as Sensitivity | undefined, tenant?.sensitivity_floor)
    const scan = await protector.scan(body)
    const protection = new RequestProtection(scan, base, protector, tenantName)
    const verdicts = await protector.guardrails.checkInput(
      scan.slots,
      scan.keys,
      tenant?.guardrails,
      new CancelSignal(),
    )
    return {
      object: 'protect.check',
      tenant: tenantName,
      sensitivity: higher(base, protector.policy.detectedLevel(scan.types)) ?? 'public',
      found: scan.counts,
      guardrails: verdicts,
      targets: targetsOf(current, body.model).map((name) => {
        const provider = current.config.providers[current.config.models[name]!.provider]!
        const to = { trust: provider.trust, region: provider.region }
        const decision = protection.decide(to)
        const where = { target: name, provider: provider.name, trust: to.trust, region: to.region ?? null }
        if (!decision.ok) return { ...where, eligible: false, reason: protector.policy.explain(decision, to) }
        const made = protection.bodyFor(body, to)
        return { ...where, eligible: true, redactions: made.redactions, messages: made.body.messages }
      }),
    }
  })
}

/** The chat models a name can reach (a route's targets, recursively), or every chat model. */
function targetsOf(runtime: Runtime, name: string): string[] {
  const { models, routes } = runtime.config
  if (name === '*')
    return Object.values(models)
      .filter((m) => m.type === 'chat')
      .map((m) => m.name)
  if (models[name]) return [name]
  if (!routes[name]) {
    throw new GatewayError('model_not_found', `The model '${name}' does not exist.`, { param: 'model' })
  }
  const out = new Set<string>()
  const visit = (n: string) => {
    if (models[n]) out.add(n)
    else for (const t of routes[n]?.targets ?? []) visit(t.target)
  }
  visit(name)
  return [...out]
}
