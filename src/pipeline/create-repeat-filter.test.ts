import { describe, expect, it } from 'vitest'
import { createRepeatFilter } from './create-repeat-filter.js'

describe('createRepeatFilter', () => {
  it('says an id is new the first time and seen after that', () => {
    const filter = createRepeatFilter()
    expect(filter.seenBefore('key1:abc')).toBe(false)
    expect(filter.seenBefore('key1:abc')).toBe(true)
    expect(filter.seenBefore('key1:abc')).toBe(true)
    expect(filter.seenBefore('key2:abc')).toBe(false)
  })

  it('remembers the window before, and forgets after two quiet windows', () => {
    let nowMs = 0
    const filter = createRepeatFilter({ windowMs: 1_000, now: () => nowMs })
    filter.seenBefore('a')
    nowMs = 1_500
    // Moved to the previous window: still seen, and seen again now.
    expect(filter.seenBefore('a')).toBe(true)
    expect(filter.rotations).toBe(1)
    nowMs = 2_600
    expect(filter.seenBefore('a')).toBe(true)
    filter.seenBefore('b')
    nowMs = 5_000
    expect(filter.seenBefore('a')).toBe(false)
    expect(filter.seenBefore('b')).toBe(false)
  })

  it('keeps false positives rare at its rated load', () => {
    // 300,000 distinct ids in one window of the default 4 Mbit filter: about 0.7 % expected.
    const filter = createRepeatFilter()
    let falsePositives = 0
    for (let i = 0; i < 300_000; i++) if (filter.seenBefore(`key:${i.toString(36)}:prompt`)) falsePositives++
    expect(falsePositives / 300_000).toBeLessThan(0.015)
    // And every id seen reads as seen: no false negatives.
    for (let i = 0; i < 300_000; i += 997)
      expect(filter.seenBefore(`key:${i.toString(36)}:prompt`)).toBe(true)
  })

  it('refuses a size that is not a power of two', () => {
    expect(() => createRepeatFilter({ bits: 1000 })).toThrow(RangeError)
  })
})
