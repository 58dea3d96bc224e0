import { describe, expect, it } from 'vitest'
import { createUuidV7 } from './create-uuid-v7.js'

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const timeOf = (id: string) => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)

describe('createUuidV7', () => {
  it('makes RFC 9562 version 7 UUIDs carrying the time in milliseconds', () => {
    const at = Date.UTC(2026, 10, 30, 12, 34, 56, 789)
    const id = createUuidV7(() => at)()
    expect(id).toMatch(V7)
    expect(timeOf(id)).toBe(at)
    // The largest 48-bit time, and zero, round-trip too.
    expect(timeOf(createUuidV7(() => 2 ** 48 - 1)())).toBe(2 ** 48 - 1)
    expect(createUuidV7(() => 0)()).toMatch(/^00000000-0000-7/)
  })

  it('sorts in time order, so the request log appends instead of writing all over its index', () => {
    let ms = 1_764_000_000_000
    const next = createUuidV7(() => ms)
    const ids: string[] = []
    for (let i = 0; i < 1000; i++) {
      ids.push(next())
      ms += 1 + (i % 3)
    }
    expect([...ids].sort()).toEqual(ids)
  })

  it('stays unique within one millisecond and across many draws of random bytes', () => {
    const next = createUuidV7(() => 1_764_000_000_000)
    const ids = Array.from({ length: 20_000 }, next)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids.slice(0, 300)) expect(id).toMatch(V7)
  })
})
