import { existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { createAccessStore, type SqlRunner } from '../access-sql.js'
import { createFeedbackStore } from '../feedback-sql.js'
import { MIGRATIONS } from '../migrations.js'
import { logQuery, logRecord, logRow, retentionDelete } from '../request-log-sql.js'
import { encodeCursor, type RequestLogPage, type Store } from '../store.js'
import { createUsageStore } from '../usage-sql.js'
import { createLogWriter, type LogWriter } from './create-log-writer.js'
import { prepareLogInsert } from './prepare-log-insert.js'

/** The writer thread's entry: beside this file when built, from `dist` when run from source (tests). */
const defaultLogWriterUrl = (): URL =>
  import.meta.url.endsWith('.ts')
    ? new URL('../../../dist/src/store/sqlite/log-writer-worker.js', import.meta.url)
    : new URL('./log-writer-worker.js', import.meta.url)

/**
 * The embedded store: one SQLite file in WAL mode (readers never block the writer), created with
 * its folder on first start. better-sqlite3 is synchronous; statements are prepared once, and the
 * recorder's batches are committed on a writer thread, off the event loop.
 */
export function openSqliteStore(path: string, options: { logWriterUrl?: URL } = {}): Store {
  // A writer asked for by URL must exist: a test of the thread must not pass on this connection.
  const writerUrl = options.logWriterUrl ?? defaultLogWriterUrl()
  if (options.logWriterUrl && !existsSync(fileURLToPath(writerUrl)))
    throw new Error(`no request-log writer at ${fileURLToPath(writerUrl)} (run npm run build)`)
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last
  // transactions (https://www.sqlite.org/pragma.html#pragma_synchronous).
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 5000')
  migrate(db)

  // A file's request log is written from a worker thread (an in-memory database is this
  // connection's alone, so it is written here; so is a file when run from source without a build).
  const logWriter: LogWriter =
    path === ':memory:' || !existsSync(fileURLToPath(writerUrl))
      ? onThisConnection(prepareLogInsert(db))
      : createLogWriter(path, writerUrl)

  const statements = new Map<string, Database.Statement>()
  const prepared = (sql: string) => {
    const cached = statements.get(sql)
    if (cached) return cached
    const statement = db.prepare(sql)
    statements.set(sql, statement)
    return statement
  }
  const runner: SqlRunner = {
    async all(sql, params) {
      return prepared(sql).all(...params) as Array<Record<string, unknown>>
    },
    async run(sql, params) {
      return prepared(sql).run(...params).changes
    },
  }

  return {
    ...createAccessStore(runner),
    ...createFeedbackStore(runner),
    ...createUsageStore(runner),
    kind: 'sqlite',
    async ping() {
      db.prepare('SELECT 1').get()
    },
    async insertRequestLogs(records) {
      const rows = records.map(logRow)
      await logWriter.insert(rows)
    },
    async deleteRequestLogs(query) {
      const logs = retentionDelete(query, () => '?')
      const feedback = retentionDelete(query, () => '?', 'feedback')
      return (
        db.prepare(logs.sql).run(...logs.params).changes +
        db.prepare(feedback.sql).run(...feedback.params).changes
      )
    },
    async queryRequestLogs(query): Promise<RequestLogPage> {
      const { sql, params } = logQuery(query, () => '?')
      const rows = db.prepare(sql).all(...params) as Array<Record<string, unknown>>
      const records = rows.slice(0, query.limit).map(logRecord)
      const last = records.at(-1)
      return rows.length > query.limit && last ? { records, nextCursor: encodeCursor(last) } : { records }
    },
    async close() {
      await logWriter.close()
      db.close()
    },
  }
}

function migrate(db: Database.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  )
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
      (r) => r.version,
    ),
  )
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue
    // IMMEDIATE takes the write lock first, so two processes starting together cannot both apply it.
    db.transaction(() => {
      db.exec(migration.sqlite)
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        Date.now(),
      )
    }).immediate()
  }
}

function onThisConnection(insertMany: (rows: unknown[][]) => void): LogWriter {
  return {
    async insert(rows) {
      insertMany(rows)
    },
    async close() {},
  }
}
