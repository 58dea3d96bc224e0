/**
 * Which ids were seen lately: one Bloom filter per window of `windowMs`, the current one and the
 * one before, so an id seen within the last one to two windows reads as seen. Memory is fixed
 * (two filters of `bits` bits) whatever the traffic. A false positive, an id never seen that reads
 * as seen, is rare (about 1 % at 300,000 distinct ids per window with the default 4 Mbit, three
 * hashes) and only costs the caller the exact check it would otherwise skip.
 */
export interface RepeatFilter {
  /** Records a sighting of `id`; whether it had been seen before. */
  seenBefore(id: string): boolean
  /** Goes up by one each time the windows move on. */
  readonly rotations: number
}

const HASHES = 3

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
  const mask = bits - 1
  let current = new Int32Array(bits / 32)
  let previous = new Int32Array(bits / 32)
  let windowStartMs = now()
  let rotations = 0

  function rotate(atMs: number): void {
    const elapsed = atMs - windowStartMs
    if (elapsed < windowMs) return
    // Two windows or more without a sighting: nothing is recent any more.
    const recycled = previous
    recycled.fill(0)
    if (elapsed >= 2 * windowMs) current.fill(0)
    previous = current
    current = recycled
    windowStartMs = atMs - (elapsed % windowMs)
    rotations++
  }

  return {
    get rotations() {
      return rotations
    },
    seenBefore(id) {
      rotate(now())
      // Two 32-bit hashes (FNV-1a and a Murmur-style mix), the k indexes derived from them
      // (Kirsch and Mitzenmacher, "Less hashing, same performance", 2006).
      let a = 0x811c9dc5
      let b = 0x9747b28c
      for (let i = 0; i < id.length; i++) {
        const unit = id.charCodeAt(i)
        a = Math.imul(a ^ unit, 0x01000193)
        b = Math.imul(b ^ unit, 0x5bd1e995)
        b ^= b >>> 15
      }
      let inCurrent = true
      let inPrevious = true
      for (let k = 0; k < HASHES; k++) {
        const bit = (a + Math.imul(k, b | 1)) & mask
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
  }
}
