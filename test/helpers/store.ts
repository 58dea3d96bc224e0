import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { RequestLogQuery, Store } from '../../src/store/store.js'
import { testPostgres } from './postgres.js'

/** Every matching request id, following the cursor page by page. */
export async function allRequestIds(store: Store, query: Omit<RequestLogQuery, 'cursor'>): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | undefined
  do {
    const page = await store.queryRequestLogs({ ...query, cursor })
    ids.push(...page.records.map((r) => r.requestId))
    cursor = page.nextCursor
  } while (cursor)
  return ids
}

export interface StoreBackend {
  name: string
  open(): Promise<Store>
  cleanup(): Promise<void>
}

/**
 * The two stores a suite runs against: SQLite in a fresh folder, and the machine's PostgreSQL in a
 * schema of this run's own, or the line that says why it is skipped.
 */
export async function storeBackends(
  label: string,
): Promise<Array<StoreBackend | { name: string; skip: string }>> {
  const sqliteDir = await mkdtemp(join(tmpdir(), `gatehouse-${label}-`))
  const pgTarget = await testPostgres()
  if ('skip' in pgTarget) console.warn(pgTarget.skip)
  return [
    {
      name: 'sqlite',
      open: async () => openSqliteStore(join(sqliteDir, 'gatehouse.db')),
      cleanup: () => rm(sqliteDir, { recursive: true, force: true }),
    },
    'skip' in pgTarget
      ? { name: 'postgres', skip: pgTarget.skip }
      : {
          name: 'postgres',
          open: () => openPostgresStore({ url: pgTarget.url }),
          cleanup: () => pgTarget.drop(),
        },
  ]
}
