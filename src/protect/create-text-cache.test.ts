import { describe, expect, it } from 'vitest'
import { createTextCache } from './create-text-cache.js'

describe('text cache', () => {
  const long = (s: string) => s.repeat(300)

  it('keys long texts by their SHA-256 and skips short ones', () => {
    const cache = createTextCache<number>({ minChars: 256 })
    expect(cache.keyOf('short')).toBeUndefined()
    const key = cache.keyOf(long('a'))!
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/)
    expect(key).not.toContain('aaaa')
    expect(cache.keyOf(long('a'))).toBe(key)
    expect(cache.keyOf(long('b'))).not.toBe(key)
    cache.set(undefined, 1)
    expect(cache.get(undefined)).toBeUndefined()
  })

  it('evicts the least recently used entry past its bound', () => {
    const cache = createTextCache<string>({ maxEntries: 2, minChars: 1 })
    const [a, b, c] = ['a', 'b', 'c'].map((t) => cache.keyOf(t))
    cache.set(a, 'A')
    cache.set(b, 'B')
    expect(cache.get(a)).toBe('A') // a is now the most recent
    cache.set(c, 'C')
    expect(cache.get(b)).toBeUndefined()
    expect(cache.get(a)).toBe('A')
    expect(cache.get(c)).toBe('C')
  })
})
