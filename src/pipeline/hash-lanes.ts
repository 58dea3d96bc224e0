/**
 * A 64-bit hash kept in two 32-bit lanes, fed one UTF-16 unit at a time: FNV-1a in one lane, a
 * Murmur-style multiply and shift in the other. Not cryptographic: it keys counters and filters
 * that a collision can only make slightly less exact. Small functions, so V8 inlines them into
 * the loops that call them.
 */
export const LANE_A_SEED = 0x811c9dc5
export const LANE_B_SEED = 0x9747b28c

export const stepLaneA = (a: number, unit: number): number => Math.imul(a ^ unit, 0x01000193)

export const stepLaneB = (b: number, unit: number): number => {
  const m = Math.imul(b ^ unit, 0x5bd1e995)
  return m ^ (m >>> 15)
}
