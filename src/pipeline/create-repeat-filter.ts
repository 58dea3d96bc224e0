import { LANE_A_SEED, LANE_B_SEED, stepLaneA, stepLaneB } from './hash-lanes.js'

/** Which sighting of an id this is, as far as a loop guard needs to know. */
export type Sighting = 'first' | 'second' | 'later'

export interface RepeatFilter {
  /** Records a sighting of `id` and says which one it was. */
  sight(id: string): Sighting
}

const HASHES = 3

/**
 * How often an id was seen lately, as far as a loop guard needs: the first time, the second, or
 * later. Two Bloom filters per window of `windowMs` (seen, and seen twice), the current window and
 * the one before, so a sighting counts for one to two windows. Memory is fixed (four filters of
 * `bits` bits) whatever the traffic. A false positive is rare (about 1 % at 300,000 distinct ids
 * per window with the default 4 Mbit and three hashes): a first sighting read as a second, or a
 * second read as a later one.
 */
export function createRepeatFilter({
  windowMs = 30_000,
  bits = 1 << 22,
  now = Date.now,
}: {
  windowMs?: number
  bits?: number
  now?: () => number
} = {}): RepeatFilter {
  if (!Number.isInteger(Math.log2(bits)) || bits < 32)
    throw new RangeError(`bits must be a power of two >= 32, got ${bits}`)
  const seen = createWindowedBloom(bits)
  const seenTwice = createWindowedBloom(bits)
  const indexes = new Int32Array(HASHES)
  let windowStartMs = now()

  function rotate(atMs: number): void {
    const elapsed = atMs - windowStartMs
    if (elapsed < windowMs) return
    // Two windows or more without a sighting: nothing is recent any more.
    const isQuiet = elapsed >= 2 * windowMs
    seen.rotate(isQuiet)
    seenTwice.rotate(isQuiet)
    windowStartMs = atMs - (elapsed % windowMs)
  }

  return {
    sight(id) {
      rotate(now())
      // The k indexes from two hashes (Kirsch and Mitzenmacher, "Less hashing, same performance").
      let a = LANE_A_SEED
      let b = LANE_B_SEED
      for (let i = 0; i < id.length; i++) {
        a = stepLaneA(a, id.charCodeAt(i))
        b = stepLaneB(b, id.charCodeAt(i))
      }
      for (let k = 0; k < HASHES; k++) indexes[k] = (a + Math.imul(k, b | 1)) & (bits - 1)
      if (!seen.testAndSet(indexes)) return 'first'
      return seenTwice.testAndSet(indexes) ? 'later' : 'second'
    },
  }
}

/** A Bloom filter for the current window and the one before it. */
function createWindowedBloom(bits: number) {
  let current = new Int32Array(bits / 32)
  let previous = new Int32Array(bits / 32)
  return {
    /** Sets the bits in the current window; whether all were set already in either window. */
    testAndSet(indexes: Int32Array): boolean {
      let inCurrent = true
      let inPrevious = true
      for (const bit of indexes) {
        const word = bit >>> 5
        const flag = 1 << (bit & 31)
        if ((current[word]! & flag) === 0) {
          inCurrent = false
          current[word]! |= flag
        }
        if ((previous[word]! & flag) === 0) inPrevious = false
      }
      return inCurrent || inPrevious
    },
    rotate(isQuiet: boolean): void {
      const recycled = previous
      recycled.fill(0)
      if (isQuiet) current.fill(0)
      previous = current
      current = recycled
    },
  }
}
