/**
 * Rate limits are token buckets that refill over a minute: a bucket of `limit` holds at most
 * `limit` units and regains `limit` per 60 s, so a burst of `limit` is allowed and the long-run rate
 * is `limit` per minute. Every check takes from several buckets at once (key, tenant, model,
 * global), all or nothing, so a refused call never uses up another bucket.
 */
export const WINDOW_MS = 60_000

export interface BucketTake {
  /** Namespaced id, e.g. `rpm:key:abc`. */
  key: string
  /** Units per minute; also the burst. */
  limit: number
  /** Units this call takes. More than `limit` passes only when the bucket is full. */
  cost: number
}

export interface BucketState {
  key: string
  limit: number
  /** Whole units left after this call (0 when refused). */
  remaining: number
  /** Until the bucket is full again. */
  resetMs: number
}

export type TakeResult =
  | { ok: true; buckets: BucketState[] }
  | { ok: false; buckets: BucketState[]; denied: BucketState; retryAfterMs: number }

export interface SlotRequest {
  key: string
  limit: number
}

export type AcquireResult = { ok: true; release: () => void } | { ok: false; denied: SlotRequest }

export interface Limiter {
  readonly kind: 'local' | 'redis'
  take(buckets: readonly BucketTake[]): Promise<TakeResult>
  /** Charge (positive) or refund (negative) units after the fact; never refuses. */
  adjust(buckets: readonly BucketTake[]): Promise<void>
  /** A slot in each concurrency group, all or nothing; `release` gives them back. */
  acquire(slots: readonly SlotRequest[], leaseMs: number): Promise<AcquireResult>
  close(): Promise<void>
}

/** One bucket's level after refilling for `elapsedMs`. */
export function refill(tokens: number, limit: number, elapsedMs: number): number {
  return Math.min(limit, tokens + (Math.max(0, elapsedMs) * limit) / WINDOW_MS)
}

/** How long until `tokens` reach `target`, refilling at `limit` per minute. */
export function msUntil(tokens: number, target: number, limit: number): number {
  return tokens >= target ? 0 : Math.ceil(((target - tokens) * WINDOW_MS) / limit)
}

/** A call costing more than the bucket holds waits for a full bucket instead of never passing. */
export function needed(bucket: BucketTake): number {
  return Math.min(bucket.cost, bucket.limit)
}

/** The lowest debt a bucket can carry after a reconciliation: one minute's worth. */
export function floorOf(limit: number): number {
  return -limit
}

/** A granted slot whose `release` runs once, however often it is called (stream end, error, abort). */
export function granted(release: () => void): AcquireResult {
  let released = false
  return {
    ok: true,
    release() {
      if (released) return
      released = true
      release()
    },
  }
}
