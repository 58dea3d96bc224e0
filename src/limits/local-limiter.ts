import {
  type AcquireResult,
  type BucketState,
  type BucketTake,
  floorOf,
  granted,
  type Limiter,
  msUntil,
  needed,
  refill,
  type SlotRequest,
  type TakeResult,
  WINDOW_MS,
} from './limiter.js'

interface Bucket {
  tokens: number
  atMs: number
}

/**
 * Limits kept in this process: exact for one replica, multiplied by the replica count otherwise
 * (configure `redis:` for shared limits). Idle full buckets are swept so memory follows the
 * number of active keys, not every key ever seen.
 */
export function createLocalLimiter(now: () => number = Date.now): Limiter {
  const buckets = new Map<string, Bucket>()
  const slots = new Map<string, number>()
  let sweptAtMs = now()

  function level(take: BucketTake, atMs: number): number {
    const bucket = buckets.get(take.key)
    return bucket ? refill(bucket.tokens, take.limit, atMs - bucket.atMs) : take.limit
  }

  function sweep(atMs: number): void {
    if (atMs - sweptAtMs < WINDOW_MS) return
    sweptAtMs = atMs
    // A bucket untouched for a whole window is full again: forgetting it changes nothing.
    for (const [key, bucket] of buckets) if (atMs - bucket.atMs >= WINDOW_MS) buckets.delete(key)
  }

  return {
    kind: 'local',
    async take(takes): Promise<TakeResult> {
      const atMs = now()
      sweep(atMs)
      const levels = takes.map((t) => level(t, atMs))
      const deniedAt = takes.findIndex((t, i) => levels[i]! < needed(t))
      if (deniedAt >= 0) {
        const states = takes.map((t, i) => state(t, levels[i]!))
        const denied = states[deniedAt]!
        const take = takes[deniedAt]!
        return {
          ok: false,
          buckets: states,
          denied,
          retryAfterMs: msUntil(levels[deniedAt]!, needed(take), take.limit),
        }
      }
      const states: BucketState[] = takes.map((t, i) => {
        const tokens = levels[i]! - t.cost
        buckets.set(t.key, { tokens, atMs })
        return state(t, tokens)
      })
      return { ok: true, buckets: states }
    },
    async adjust(takes) {
      const atMs = now()
      for (const t of takes) {
        const tokens = Math.max(floorOf(t.limit), Math.min(t.limit, level(t, atMs) - t.cost))
        buckets.set(t.key, { tokens, atMs })
      }
    },
    async acquire(requests: readonly SlotRequest[]): Promise<AcquireResult> {
      const denied = requests.find((r) => (slots.get(r.key) ?? 0) >= r.limit)
      if (denied) return { ok: false, denied }
      for (const r of requests) slots.set(r.key, (slots.get(r.key) ?? 0) + 1)
      return granted(() => {
        for (const r of requests) {
          const left = (slots.get(r.key) ?? 1) - 1
          if (left <= 0) slots.delete(r.key)
          else slots.set(r.key, left)
        }
      })
    },
    async close() {},
  }
}

function state(take: BucketTake, tokens: number): BucketState {
  return {
    key: take.key,
    limit: take.limit,
    remaining: Math.max(0, Math.floor(tokens)),
    resetMs: msUntil(tokens, take.limit, take.limit),
  }
}
