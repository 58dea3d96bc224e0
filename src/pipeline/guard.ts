import { GatewayError } from '../errors.js'
import type { GuardVerdict } from '../protect/create-guardrails.js'
import type { RequestContext } from './context.js'
import type { Stage } from './stage.js'

/**
 * Guard: prompt injection and jailbreaks in the caller's messages, instructions hidden in tool
 * results (indirect injection), deny rules, and the optional classifier and guard model. Each
 * verdict is recorded; `flag` also marks the answer (`x-gatehouse-guardrails`); `block` ends the
 * request with 400 policy_violation naming the rule and never the text that matched.
 */
export const guard = (): Stage => ({
  name: 'guard',
  async run(ctx, next) {
    const protector = ctx.runtime.protect
    const protection = ctx.protection
    if (!protector || !protection) return next()
    const overrides = ctx.runtime.tenant(ctx.tenant ?? '')?.guardrails
    const { slots, keys } = protection.scan
    const verdicts = await protector.guardrails.checkInput(slots, keys, overrides, ctx.signal)
    if (verdicts.length > 0) noteVerdicts(ctx, verdicts)
    const blocked = verdicts.find((v) => v.action === 'block')
    if (blocked) throw policyViolation(blocked)
    return next()
  },
})

/** Adds verdicts to the request (for the record) and flags to the answer's headers. */
export function noteVerdicts(ctx: RequestContext, verdicts: readonly GuardVerdict[]): void {
  ctx.guardrails = [...(ctx.guardrails ?? []), ...verdicts]
  const flagged = ctx.guardrails.filter((v) => v.action !== 'log').map((v) => `${v.rule}=${v.action}`)
  if (flagged.length > 0) ctx.responseHeaders['x-gatehouse-guardrails'] = flagged.join(',')
  for (const v of verdicts) {
    ctx.log.info(
      { rule: v.rule, source: v.source, action: v.action, signals: v.signals },
      'guardrail verdict',
    )
  }
}

export function policyViolation(verdict: GuardVerdict): GatewayError {
  const where = { user: "the caller's messages", context: 'tool or retrieved content', output: 'the answer' }[
    verdict.source
  ]
  return new GatewayError('policy_violation', `Blocked by the guardrail '${verdict.rule}' in ${where}.`, {
    param: verdict.source === 'output' ? null : 'messages',
  })
}
