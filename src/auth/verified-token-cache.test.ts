import { describe, expect, it } from 'vitest'
import type { JwtPrincipal } from './jwt-verifier.js'
import { createVerifiedTokenCache, tokenCacheKey } from './verified-token-cache.js'

const principal = (expiresAtMs?: number): JwtPrincipal => ({
  tenant: 't',
  roles: ['user'],
  user: 'u',
  expiresAtMs,
})

describe('createVerifiedTokenCache', () => {
  it('keys by hash, never by the token itself', () => {
    expect(tokenCacheKey('a.b.c')).not.toContain('a.b.c')
    expect(tokenCacheKey('a.b.c')).toHaveLength(43)
  })

  it('keeps an entry for the ttl or until exp, whichever comes first', () => {
    const cache = createVerifiedTokenCache({ ttlMs: 60_000, maxEntries: 10 })
    cache.set('long', principal(1_000_000), 0)
    cache.set('short', principal(5_000), 0)
    cache.set('none', principal(undefined), 0)
    expect(cache.get('short', 4_999)).toBeDefined()
    expect(cache.get('short', 5_000)).toBeUndefined()
    expect(cache.get('long', 59_999)).toBeDefined()
    expect(cache.get('long', 60_000)).toBeUndefined()
    expect(cache.get('none', 60_000)).toBeUndefined()
  })

  it('does not store a token already past exp (accepted within the clock tolerance)', () => {
    const cache = createVerifiedTokenCache({ ttlMs: 60_000, maxEntries: 10 })
    cache.set('late', principal(1_000), 2_000)
    expect(cache.get('late', 2_000)).toBeUndefined()
  })

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = createVerifiedTokenCache({ ttlMs: 60_000, maxEntries: 2 })
    cache.set('a', principal(), 0)
    cache.set('b', principal(), 0)
    cache.get('a', 1)
    cache.set('c', principal(), 1)
    expect(cache.get('b', 2)).toBeUndefined()
    expect(cache.get('a', 2)).toBeDefined()
    expect(cache.get('c', 2)).toBeDefined()
  })
})
