import type { LimitConfig } from '../config/access-schema.js'
import { GatewayError } from '../errors.js'
import type { BucketState, BucketTake, Limiter, SlotRequest } from '../limits/limiter.js'
import type { ChatBody } from '../providers/types.js'
import type { RoutingMetrics } from '../routing/routing-deps.js'
import type { RequestContext } from './context.js'
import type { Stage } from './stage.js'
import { afterMetering, whenDone } from './when-done.js'

/** Longest a concurrency slot is held if its replica dies before releasing it. */
const LEASE_MS = 15 * 60_000

/**
 * Limit: requests per minute, tokens per minute and requests in flight, per key, tenant, model
 * and globally, checked in one all-or-nothing step. Tokens are estimated before the call (body
 * bytes / 4, plus the output the caller asked for) and reconciled with the reported usage after.
 * Every answer carries OpenAI's `x-ratelimit-*` headers for the tightest request and token limit.
 */
export const limit = (limiter: Limiter, metrics: RoutingMetrics): Stage => ({
  name: 'limit',
  async run(ctx, next) {
    const scopes = scopesOf(ctx)
    if (scopes.length === 0) return next()
    const estimate = estimateTokens(ctx)
    const takes: BucketTake[] = []
    const slots: SlotRequest[] = []
    for (const { id, limits } of scopes) {
      if (limits.rpm !== undefined) takes.push({ key: `rpm:${id}`, limit: limits.rpm, cost: 1 })
      if (limits.tpm !== undefined) takes.push({ key: `tpm:${id}`, limit: limits.tpm, cost: estimate })
      if (limits.concurrency !== undefined) slots.push({ key: id, limit: limits.concurrency })
    }
    if (takes.length > 0) {
      const result = await limiter.take(takes)
      setHeaders(ctx, result.buckets)
      if (!result.ok) {
        const { denied } = result
        metrics.rejected('rate_limit', denied.key.split(':')[1] ?? 'global')
        const what = denied.key.startsWith('rpm:') ? 'requests' : 'tokens'
        throw new GatewayError(
          'rate_limited',
          `Rate limit reached for ${scopeName(denied.key)}: ${denied.limit} ${what} per minute. ` +
            `Try again in ${Math.ceil(result.retryAfterMs / 1000)} s.`,
          { retryAfterS: Math.max(1, Math.ceil(result.retryAfterMs / 1000)) },
        )
      }
    }
    let release = () => {}
    if (slots.length > 0) {
      const slot = await limiter.acquire(slots, LEASE_MS)
      if (!slot.ok) {
        metrics.rejected('concurrency', slot.denied.key.split(':')[0] ?? 'global')
        // The buckets were charged for a call that does not happen: give the tokens back.
        await limiter.adjust(refunds(takes, estimate))
        throw new GatewayError(
          'rate_limited',
          `Too many requests in flight for ${scopeName(`x:${slot.denied.key}`)} (limit ${slot.denied.limit}).`,
          { retryAfterS: 1 },
        )
      }
      release = slot.release
    }
    const settle = () => {
      release()
      afterMetering(ctx, reconcile)
    }
    const reconcile = () => {
      const used = ctx.usage ? ctx.usage.total_tokens : 0
      const delta = used - estimate
      const tokenTakes = takes.filter((t) => t.key.startsWith('tpm:')).map((t) => ({ ...t, cost: delta }))
      if (delta !== 0 && tokenTakes.length > 0) {
        limiter.adjust(tokenTakes).catch((err) => ctx.log.warn({ err }, 'token limit reconciliation failed'))
      }
    }
    return whenDone(next, settle)
  },
})

interface Scope {
  id: string
  limits: LimitConfig
}

function scopesOf(ctx: RequestContext): Scope[] {
  const { config } = ctx.runtime
  const principal = ctx.principal!
  const tenant = ctx.runtime.tenant(principal.tenant)
  const scopes: Scope[] = []
  const keyLimits = principal.limits ?? tenant?.key_limits
  if (keyLimits) scopes.push({ id: `key:${principal.keyId}`, limits: keyLimits })
  if (tenant?.limits) scopes.push({ id: `tenant:${principal.tenant}`, limits: tenant.limits })
  const modelLimits = config.limits.models[ctx.body.model]
  if (modelLimits) scopes.push({ id: `model:${ctx.body.model}`, limits: modelLimits })
  if (config.limits.global) scopes.push({ id: 'global', limits: config.limits.global })
  return scopes
}

/**
 * Tokens a call may use, before it is made: about 4 bytes of JSON per input token, plus the
 * output cap the caller set (as OpenAI counts `max_tokens` against the token limit up front).
 */
export function estimateTokens(ctx: RequestContext): number {
  const bytes = ctx.bodyBytes ?? JSON.stringify(ctx.body).length
  const body = ctx.body as ChatBody
  const output = Number(body['max_completion_tokens'] ?? body['max_tokens'] ?? 0)
  return Math.ceil(bytes / 4) + (Number.isFinite(output) && output > 0 ? output : 0)
}

function refunds(takes: readonly BucketTake[], estimate: number): BucketTake[] {
  return takes.map((t) => ({ ...t, cost: t.key.startsWith('tpm:') ? -estimate : -1 }))
}

/** `rpm:key:abc` -> `key abc`, for messages that say which limit was hit. */
function scopeName(bucketKey: string): string {
  const [, scope, ...rest] = bucketKey.split(':')
  return rest.length === 0 ? (scope ?? '') : `${scope} ${rest.join(':')}`
}

function setHeaders(ctx: RequestContext, buckets: readonly BucketState[]): void {
  // The tightest request and token limits: the lowest share left (one pass, no allocation).
  let requests: BucketState | undefined
  let tokens: BucketState | undefined
  for (const b of buckets) {
    if (b.key.startsWith('rpm:')) {
      if (!requests || b.remaining / b.limit < requests.remaining / requests.limit) requests = b
    } else if (!tokens || b.remaining / b.limit < tokens.remaining / tokens.limit) tokens = b
  }
  if (requests) writeHeaders(ctx.responseHeaders, 'requests', requests)
  if (tokens) writeHeaders(ctx.responseHeaders, 'tokens', tokens)
}

function writeHeaders(headers: Record<string, string>, unit: string, b: BucketState): void {
  headers[`x-ratelimit-limit-${unit}`] = String(b.limit)
  headers[`x-ratelimit-remaining-${unit}`] = String(b.remaining)
  headers[`x-ratelimit-reset-${unit}`] = formatDuration(b.resetMs)
}

/** OpenAI writes resets as Go durations: `20ms`, `1.5s`, `6m0s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.ceil(ms)}ms`
  const s = ms / 1000
  if (s < 60) return `${Math.round(s * 10) / 10}s`
  return `${Math.floor(s / 60)}m${Math.round(s % 60)}s`
}
