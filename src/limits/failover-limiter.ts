import { GatewayError } from '../errors.js'
import type { Limiter } from './limiter.js'

export interface FailoverOptions {
  shared: Limiter
  local: Limiter
  /** `open`: use this process's own counters while Redis is down; `closed`: refuse (503). */
  policy: 'open' | 'closed'
  /** Called on every failed shared call (metrics; the caller rate-limits its log line). */
  onError: (err: unknown) => void
}

/**
 * Shared limits with a defined behaviour when Redis is unreachable. Fail-open keeps serving with
 * per-process limits (each replica enforces the full limit, so the total may multiply); fail-closed
 * refuses calls until Redis is back.
 */
export function createFailoverLimiter({ shared, local, policy, onError }: FailoverOptions): Limiter {
  function fallback<T>(err: unknown, local: () => Promise<T>): Promise<T> {
    onError(err)
    if (policy === 'open') return local()
    throw new GatewayError(
      'limits_unavailable',
      'Rate limits cannot be checked right now; try again shortly.',
      {
        retryAfterS: 1,
        cause: err,
      },
    )
  }
  return {
    kind: 'redis',
    take: (takes) => shared.take(takes).catch((err) => fallback(err, () => local.take(takes))),
    adjust: (takes) => shared.adjust(takes).catch((err) => onError(err)),
    acquire: (slots, leaseMs) =>
      shared.acquire(slots, leaseMs).catch((err) => fallback(err, () => local.acquire(slots, leaseMs))),
    async close() {
      await Promise.all([shared.close(), local.close()])
    },
  }
}
