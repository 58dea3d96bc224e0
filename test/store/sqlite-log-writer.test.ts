import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogWriter } from '../../src/store/sqlite/create-log-writer.js'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { RequestLogRecord } from '../../src/store/store.js'
import { allRequestIds } from '../helpers/store.js'

// The thread's entry as built by `npm test` (asked for by URL, so a missing build fails the tests
// instead of their writes going through the main connection).
const WRITER = new URL('../../dist/src/store/sqlite/log-writer-worker.js', import.meta.url)

const record = (i: number): RequestLogRecord => ({
  requestId: `w-${String(i).padStart(5, '0')}`,
  ts: 1_800_000_000_000 + i,
  tenant: 'bank',
  operation: 'chat',
  modelRequested: 'chat',
  status: 200,
  attempts: 1,
  latencyMs: 1.5,
})

describe('the SQLite request-log writer thread', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-log-writer-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('refuses a writer asked for that is not there, rather than write on the main connection', () => {
    expect(() =>
      openSqliteStore(join(dir, 'd.db'), { logWriterUrl: new URL('file:///nowhere/log-writer-worker.js') }),
    ).toThrow(/no request-log writer at .*run npm run build/)
  })

  it('commits batches sent back to back, in order, and the main connection reads them', async () => {
    const store = openSqliteStore(join(dir, 'a.db'), { logWriterUrl: WRITER })
    const batches = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 50 }, (_, i) => record(b * 50 + i)),
    )
    // Not awaited one by one: the thread takes them in the order they were sent.
    await Promise.all(batches.map((batch) => store.insertRequestLogs(batch)))
    const ids = await allRequestIds(store, { limit: 500, tenant: 'bank' })
    expect(ids).toHaveLength(1000)
    await store.close()
    // Closed cleanly: the file reopens with everything in it.
    const reopened = openSqliteStore(join(dir, 'a.db'), { logWriterUrl: WRITER })
    expect(await allRequestIds(reopened, { limit: 500 })).toHaveLength(1000)
    await reopened.close()
  })

  it('fails a batch, instead of hanging, when its thread cannot run, and tries a new thread next time', async () => {
    const store = openSqliteStore(join(dir, 'b.db'))
    await store.close()
    const writer = createLogWriter(join(dir, 'b.db'), new URL('data:text/javascript,process.exit(3)'))
    await expect(writer.insert([[1]])).rejects.toThrow(/exited with code 3/)
    await expect(writer.insert([[1]])).rejects.toThrow(/exited with code 3/)
    await writer.close()
  })

  it('reports a batch the database refuses, and keeps taking the next ones', async () => {
    const path = join(dir, 'c.db')
    const store = openSqliteStore(path)
    const { logRow } = await import('../../src/store/request-log-sql.js')
    const writer = createLogWriter(path, WRITER)
    await expect(writer.insert([[1, 2, 3]])).rejects.toThrow(/request log writer/)
    await writer.insert([logRow(record(1))])
    await writer.close()
    expect(await allRequestIds(store, { limit: 10 })).toEqual(['w-00001'])
    await store.close()
  })
})
