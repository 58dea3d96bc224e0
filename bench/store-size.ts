import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createUuidV7 } from '../src/server/create-uuid-v7.js'
import { openPostgresStore } from '../src/store/postgres/postgres-store.js'
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js'
import type { RequestLogRecord, Store } from '../src/store/store.js'

/**
 * `npm run bench:store`: how much disk a million request-log records take (SQLite file, and
 * PostgreSQL's table with its indexes when $GATEHOUSE_TEST_PG_URL or 127.0.0.1:5432 answers), and
 * that a retention sweep bounds it: deleting half and inserting as many again must not grow it;
 * then what the order of request ids costs the SQLite writer (random, version 4, against
 * time-ordered, version 7, the gateway's own).
 */
const TOTAL = Number(process.env['STORE_RECORDS'] ?? 1_000_000)
const BATCH = 5_000

function record(
  i: number,
  requestId = `req-${i.toString(36).padStart(8, '0')}-${(i * 2654435761) % 4294967296}`,
): RequestLogRecord {
  return {
    requestId,
    ts: 1_800_000_000_000 + i * 10,
    tenant: ['bank', 'clinic', 'insurer'][i % 3],
    keyId: `k${i % 50}`,
    user: `user-${i % 1000}`,
    useCase: 'support',
    operation: 'chat',
    modelRequested: 'chat',
    route: 'chat',
    provider: 'openai',
    modelServed: 'gpt-4o-mini-2024-07-18',
    status: i % 50 === 0 ? 502 : 200,
    errorKind: i % 50 === 0 ? 'upstream_error' : undefined,
    attempts: 1,
    trace: {
      rule: null,
      candidates: [{ target: 'gpt-4o-mini' }],
      attempts: [{ target: 'gpt-4o-mini', ok: true }],
    },
    inputTokens: 500 + (i % 300),
    outputTokens: 120 + (i % 80),
    costUsd: 0.000_147,
    latencyMs: 812.4,
    ttftMs: 220.1,
  }
}

async function fill(store: Store, from: number, count: number, label: string): Promise<void> {
  for (let i = from; i < from + count; i += BATCH) {
    await store.insertRequestLogs(
      Array.from({ length: Math.min(BATCH, from + count - i) }, (_, j) => record(i + j)),
    )
    if ((i - from) % 100_000 === 0)
      process.stderr.write(`\r${label}: ${(i - from).toLocaleString('en')} of ${count.toLocaleString('en')}`)
  }
  process.stderr.write(`\r${label}: ${count.toLocaleString('en')} of ${count.toLocaleString('en')}\n`)
}

const ID_RECORDS = Number(process.env['STORE_ID_RECORDS'] ?? 200_000)
// Batches of the size the recorder writes under load (about 200 ms of traffic at ~850 req/s).
const ID_BATCH = 170
const ID_BATCHES = 50

/**
 * With `ID_RECORDS` records in the table, the time per record of `ID_BATCHES` more batches, and
 * the file's size, with ids from `nextId`. Random ids land on a random page of the primary-key
 * index (each batch rewrites about one index page per record; splits leave pages half full),
 * time-ordered ones at its end.
 */
async function idOrderCost(dir: string, label: string, nextId: () => string) {
  const path = join(dir, `ids-${label}.db`)
  const store = openSqliteStore(path)
  const batchOf = (from: number, n: number) => Array.from({ length: n }, (_, j) => record(from + j, nextId()))
  for (let i = 0; i < ID_RECORDS; i += BATCH) await store.insertRequestLogs(batchOf(i, BATCH))
  const startedAt = performance.now()
  for (let b = 0; b < ID_BATCHES; b++)
    await store.insertRequestLogs(batchOf(ID_RECORDS + b * ID_BATCH, ID_BATCH))
  const usPerRecord = ((performance.now() - startedAt) * 1000) / (ID_BATCHES * ID_BATCH)
  await store.close()
  return { usPerRecord, fileBytes: statSync(path).size }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-store-size-'))
  const path = join(dir, 'g.db')
  try {
    const sqlite = openSqliteStore(path)
    await fill(sqlite, 0, TOTAL, 'sqlite insert')
    const size = () => statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0)
    const full = size()
    // Retention: delete the older half, insert as many new ones: free pages are reused.
    let deleted = 0
    for (;;) {
      const n = await sqlite.deleteRequestLogs({
        before: 1_800_000_000_000 + (TOTAL / 2) * 10,
        limit: 10_000,
      })
      deleted += n
      if (n < 10_000) break
    }
    await fill(sqlite, TOTAL, TOTAL / 2, 'sqlite refill')
    const after = size()
    await sqlite.close()
    console.log(
      `SQLite: ${TOTAL.toLocaleString('en')} records ${mb(full)} (${mb((full / TOTAL) * 1e6)} per million);`,
    )
    console.log(
      `  after deleting ${deleted.toLocaleString('en')} and inserting as many: ${mb(after)} (${after <= full * 1.05 ? 'bounded' : 'GREW'})`,
    )

    // Request ids: the same batches keyed by random and by time-ordered ids.
    process.stderr.write(
      `request ids: ${ID_RECORDS.toLocaleString('en')} records, then ${ID_BATCHES} batches of ${ID_BATCH}\n`,
    )
    const random = await idOrderCost(dir, 'v4', randomUUID)
    const ordered = await idOrderCost(dir, 'v7', createUuidV7())
    for (const [name, r] of [
      ['random (v4)', random],
      ['time-ordered (v7)', ordered],
    ] as const) {
      console.log(
        `SQLite, request ids ${name.padEnd(17)}: ${r.usPerRecord.toFixed(1)} us per record in batches of ${ID_BATCH} at ${ID_RECORDS.toLocaleString('en')} records; file ${mb(r.fileBytes)}`,
      )
    }

    const pgUrl = process.env['GATEHOUSE_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'
    const schema = `gh_size_${process.pid}`
    let pg: Store | undefined
    try {
      pg = await openPostgresStore({ url: `${pgUrl}?schema=${schema}` })
    } catch (err) {
      console.log(`PostgreSQL: skipped (${(err as Error).message})`)
    }
    if (pg) {
      await fill(pg, 0, TOTAL, 'postgres insert')
      const { default: pgLib } = await import('pg')
      const client = new pgLib.Client({ connectionString: pgUrl })
      await client.connect()
      const { rows } = await client.query(`SELECT pg_total_relation_size('${schema}.request_logs') AS bytes`)
      const bytes = Number(rows[0].bytes)
      console.log(
        `PostgreSQL: ${TOTAL.toLocaleString('en')} records ${mb(bytes)} with indexes (${mb((bytes / TOTAL) * 1e6)} per million)`,
      )
      await client.query(`DROP SCHEMA ${schema} CASCADE`)
      await client.end()
      await pg.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
