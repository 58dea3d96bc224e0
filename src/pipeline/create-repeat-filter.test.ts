import { describe, expect, it } from 'vitest'
import { createRepeatFilter } from './create-repeat-filter.js'

describe('createRepeatFilter', () => {
  it('tells the first sighting of an id, the second, and later ones apart', () => {
    const filter = createRepeatFilter()
    expect(filter.sight('key1:abc')).toBe('first')
    expect(filter.sight('key1:abc')).toBe('second')
    expect(filter.sight('key1:abc')).toBe('later')
    expect(filter.sight('key1:abc')).toBe('later')
    expect(filter.sight('key2:abc')).toBe('first')
  })

  it('remembers the window before, and forgets after two quiet windows', () => {
    let nowMs = 0
    const filter = createRepeatFilter({ windowMs: 1_000, now: () => nowMs })
    filter.sight('a')
    nowMs = 1_500
    // Moved to the previous window: still seen.
    expect(filter.sight('a')).toBe('second')
    nowMs = 2_600
    expect(filter.sight('a')).toBe('later')
    filter.sight('b')
    nowMs = 5_000
    expect(filter.sight('a')).toBe('first')
    expect(filter.sight('b')).toBe('first')
  })

  it('keeps false positives rare at its rated load, and has no false negatives', () => {
    // 300,000 distinct ids in one window of the default 4 Mbit filters: about 0.7 % expected.
    const filter = createRepeatFilter()
    let falsePositives = 0
    for (let i = 0; i < 300_000; i++)
      if (filter.sight(`key:${i.toString(36)}:prompt`) !== 'first') falsePositives++
    expect(falsePositives / 300_000).toBeLessThan(0.015)
    for (let i = 0; i < 300_000; i += 997)
      expect(filter.sight(`key:${i.toString(36)}:prompt`)).not.toBe('first')
  })

  it('refuses a size that is not a power of two', () => {
    expect(() => createRepeatFilter({ bits: 1000 })).toThrow(RangeError)
  })
})
