import { digestSha256 } from '../digest-sha256.js'
import type { JwtPrincipal } from './jwt-verifier.js'

export interface VerifiedTokenCache {
  get(key: string, nowMs: number): JwtPrincipal | undefined
  set(key: string, principal: JwtPrincipal, nowMs: number): void
}

/** Cache key for a token: its SHA-256, so the cache never holds bearer credentials. */
export const tokenCacheKey = (token: string): string => digestSha256(token, 'base64url')

/**
 * Principals of recently verified tokens, so a client reusing its token skips the signature check.
 * An entry lives `ttlMs` and never past the token's `exp` (no clock tolerance here: the tolerance
 * is for skew at verification, not a licence to keep serving an expired token). Bounded LRU: a
 * `Map` iterates in insertion order, so a hit is re-inserted and the first key is the oldest.
 */
export function createVerifiedTokenCache(options: { ttlMs: number; maxEntries: number }): VerifiedTokenCache {
  const { ttlMs, maxEntries } = options
  const entries = new Map<string, { principal: JwtPrincipal; untilMs: number }>()
  return {
    get(key, nowMs) {
      const entry = entries.get(key)
      if (entry === undefined) return undefined
      entries.delete(key)
      if (entry.untilMs <= nowMs) return undefined
      entries.set(key, entry)
      // A copy: callers may extend roles without touching what the next hit sees.
      return { ...entry.principal, roles: [...entry.principal.roles] }
    },
    set(key, principal, nowMs) {
      const untilMs = Math.min(nowMs + ttlMs, principal.expiresAtMs ?? Number.POSITIVE_INFINITY)
      if (untilMs <= nowMs) return
      entries.delete(key)
      entries.set(key, { principal: { ...principal, roles: [...principal.roles] }, untilMs })
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
    },
  }
}
