import type { Logger } from 'pino'
import type { RequestLogRecord, Store } from '../store/store.js'

export interface RecorderOptions {
  store: Pick<Store, 'insertRequestLogs'>
  logger: Logger
  /** Records held in memory at most; past it new records are dropped and counted. */
  maxQueue?: number
  /** Records per transaction. */
  batchSize?: number
  /** How long a record may wait for a batch to fill. */
  flushIntervalMs?: number
}

/**
 * Request logs leave the request path through a bounded in-memory queue and reach the store in
 * batched transactions. The request never waits for the store. When the queue is full (the store
 * is down or too slow), new records are dropped and counted (`droppedTotal`, a metric and a
 * warning), so memory stays bounded and callers keep being served. `close()` drains the queue:
 * a clean shutdown loses nothing that was recorded.
 */
export class Recorder {
  readonly #store: Pick<Store, 'insertRequestLogs'>
  readonly #logger: Logger
  readonly #maxQueue: number
  readonly #batchSize: number
  readonly #flushIntervalMs: number
  #queue: RequestLogRecord[] = []
  #timer: NodeJS.Timeout | undefined
  #writing: Promise<void> | undefined
  #dropped = 0
  #failedBatches = 0
  #isClosed = false

  constructor(options: RecorderOptions) {
    this.#store = options.store
    this.#logger = options.logger
    this.#maxQueue = options.maxQueue ?? 10_000
    this.#batchSize = options.batchSize ?? 500
    this.#flushIntervalMs = options.flushIntervalMs ?? 200
  }

  get depth(): number {
    return this.#queue.length
  }

  get droppedTotal(): number {
    return this.#dropped
  }

  get failedBatchesTotal(): number {
    return this.#failedBatches
  }

  /** Queue a record; false when it was dropped because the queue is full or closed. */
  record(entry: RequestLogRecord): boolean {
    if (this.#isClosed || this.#queue.length >= this.#maxQueue) {
      if (this.#dropped++ % 1000 === 0) {
        this.#logger.warn(
          { dropped_total: this.#dropped, max_queue: this.#maxQueue },
          'request log queue full: records dropped',
        )
      }
      return false
    }
    this.#queue.push(entry)
    if (this.#queue.length >= this.#batchSize) void this.flush()
    else this.#timer ??= setTimeout(() => void this.flush(), this.#flushIntervalMs)
    return true
  }

  /** Write everything queued so far; concurrent calls share one writer. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    while (this.#writing) await this.#writing
    if (this.#queue.length === 0) return
    this.#writing = this.#drain()
    try {
      await this.#writing
    } finally {
      this.#writing = undefined
    }
  }

  /** Stop taking records and write the ones queued. */
  async close(): Promise<void> {
    this.#isClosed = true
    await this.flush()
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#batchSize)
      try {
        await this.#store.insertRequestLogs(batch)
      } catch (err) {
        // Put the batch back (if there is room) and retry at the next flush; a store that stays
        // down fills the queue, and then new records are dropped and counted.
        this.#failedBatches++
        this.#queue.unshift(...batch.slice(0, Math.max(0, this.#maxQueue - this.#queue.length)))
        this.#logger.error(
          { err: (err as Error).message, batch: batch.length },
          'request log batch failed; will retry',
        )
        if (!this.#isClosed) this.#timer ??= setTimeout(() => void this.flush(), 1000)
        return
      }
    }
  }
}
