import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import type { RequestLogRecord, Store } from '../store/store.js'
import { Recorder } from './recorder.js'

const logger = pino({ level: 'silent' })
const entry = (i: number): RequestLogRecord => ({
  requestId: `r${i}`,
  ts: i,
  operation: 'chat',
  modelRequested: 'm',
  status: 200,
  attempts: 1,
  latencyMs: 1,
})

/** A store that records batches; `fail` makes the next inserts throw, `gate` holds them. */
function fakeStore() {
  const batches: string[][] = []
  const state = { fail: 0, gate: undefined as Promise<void> | undefined }
  const store: Pick<Store, 'insertRequestLogs'> = {
    async insertRequestLogs(records) {
      if (state.gate) await state.gate
      if (state.fail > 0) {
        state.fail--
        throw new Error('store down')
      }
      batches.push(records.map((r) => r.requestId))
    },
  }
  return { store, batches, state }
}

describe('Recorder', () => {
  it('writes a full batch at once and a partial one after the interval', async () => {
    const { store, batches } = fakeStore()
    const recorder = new Recorder({ store, logger, batchSize: 3, flushIntervalMs: 30 })
    for (let i = 0; i < 3; i++) recorder.record(entry(i))
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(batches).toEqual([['r0', 'r1', 'r2']])
    recorder.record(entry(3))
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(batches).toHaveLength(1)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(batches).toEqual([['r0', 'r1', 'r2'], ['r3']])
  })

  it('drops and counts records when the queue is full, never blocking', async () => {
    const { store, batches, state } = fakeStore()
    let release!: () => void
    state.gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const recorder = new Recorder({ store, logger, maxQueue: 5, batchSize: 100, flushIntervalMs: 1 })
    const accepted = Array.from({ length: 8 }, (_, i) => recorder.record(entry(i)))
    expect(accepted).toEqual([true, true, true, true, true, false, false, false])
    expect(recorder.droppedTotal).toBe(3)
    release()
    state.gate = undefined
    await recorder.close()
    expect(batches.flat()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4'])
  })

  it('keeps a failed batch and writes it once the store is back', async () => {
    const { store, batches, state } = fakeStore()
    state.fail = 1000
    const recorder = new Recorder({ store, logger, batchSize: 2, flushIntervalMs: 1 })
    recorder.record(entry(1))
    recorder.record(entry(2))
    await recorder.flush()
    expect(recorder.failedBatchesTotal).toBeGreaterThanOrEqual(1)
    expect(recorder.depth).toBe(2)
    expect(batches).toEqual([])
    state.fail = 0
    await recorder.close()
    expect(batches).toEqual([['r1', 'r2']])
    expect(recorder.depth).toBe(0)
  })

  it('close() drains everything queued and refuses new records', async () => {
    const { store, batches } = fakeStore()
    const recorder = new Recorder({ store, logger, batchSize: 1000, flushIntervalMs: 60_000 })
    for (let i = 0; i < 2500; i++) recorder.record(entry(i))
    await recorder.close()
    expect(batches.flat()).toHaveLength(2500)
    expect(recorder.record(entry(9999))).toBe(false)
  })
})
