import { randomFillSync } from 'node:crypto'

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
// Random bytes are drawn for this many ids at a time: one getrandom call, not one per request.
const IDS_PER_DRAW = 128
const RANDOM_BYTES = 10

/**
 * Time-ordered UUIDs, version 7 (RFC 9562, section 5.7): 48 bits of Unix time in milliseconds,
 * then 74 random bits. Request ids key the request log, and ids that grow with time are appended
 * at the end of its index; random (version 4) ids land on a random page of it, which costs one
 * page write per record in every batch once the table is larger than a few batches.
 */
export function createUuidV7(nowMs: () => number = Date.now): () => string {
  const pool = Buffer.allocUnsafe(RANDOM_BYTES * IDS_PER_DRAW)
  let at = pool.length
  return function uuidV7() {
    if (at === pool.length) {
      randomFillSync(pool)
      at = 0
    }
    const r = at
    at += RANDOM_BYTES
    const ms = nowMs()
    // 48 bits do not fit a 32-bit integer: the top 32 and the low 16 are written apart.
    const high = Math.floor(ms / 0x10000)
    const low = ms % 0x10000
    return (
      HEX[(high >>> 24) & 0xff]! +
      HEX[(high >>> 16) & 0xff]! +
      HEX[(high >>> 8) & 0xff]! +
      HEX[high & 0xff]! +
      '-' +
      HEX[low >>> 8]! +
      HEX[low & 0xff]! +
      '-' +
      HEX[0x70 | (pool[r]! & 0x0f)]! +
      HEX[pool[r + 1]!]! +
      '-' +
      HEX[0x80 | (pool[r + 2]! & 0x3f)]! +
      HEX[pool[r + 3]!]! +
      '-' +
      HEX[pool[r + 4]!]! +
      HEX[pool[r + 5]!]! +
      HEX[pool[r + 6]!]! +
      HEX[pool[r + 7]!]! +
      HEX[pool[r + 8]!]! +
      HEX[pool[r + 9]!]!
    )
  }
}
