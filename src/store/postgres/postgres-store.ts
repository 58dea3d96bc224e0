import pg from 'pg'
import { createAccessStore, type SqlRunner } from '../access-sql.js'
import { createFeedbackStore } from '../feedback-sql.js'
import { MIGRATIONS } from '../migrations.js'
import { LOG_COLUMNS, logQuery, logRecord, logRow, retentionDelete } from '../request-log-sql.js'
import { encodeCursor, type RequestLogPage, type Store } from '../store.js'
import { createUsageStore } from '../usage-sql.js'

export interface PostgresStoreOptions {
  /** `postgres://user@host:5432/db`; a `?schema=name` parameter selects (and creates) a schema. */
  url: string
  maxConnections?: number
}

/** Any number of replicas share one PostgreSQL; migrations run under an advisory lock. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const url = new URL(options.url)
  const schema = url.searchParams.get('schema') ?? undefined
  url.searchParams.delete('schema')
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`store url: schema "${schema}" must be lower-case letters, digits and _`)
  }
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: options.maxConnections ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  })
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  try {
    if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
    await migrate(pool)
  } catch (err) {
    await pool.end()
    throw err
  }
  const insertSql = (count: number) => {
    const n = LOG_COLUMNS.length
    const rows = Array.from(
      { length: count },
      (_, r) => `(${LOG_COLUMNS.map((_, c) => `$${r * n + c + 1}`).join(', ')})`,
    )
    return `INSERT INTO request_logs (${LOG_COLUMNS.join(', ')}) VALUES ${rows.join(', ')} ON CONFLICT (request_id) DO NOTHING`
  }

  // `?` placeholders to PostgreSQL's `$n` (the shared SQL holds no `?` inside literals).
  const numbered = (sql: string) => {
    let n = 0
    return sql.replace(/\?/g, () => `$${++n}`)
  }
  const runner: SqlRunner = {
    async all(sql, params) {
      return (await pool.query(numbered(sql), params as unknown[])).rows
    },
    async run(sql, params) {
      return (await pool.query(numbered(sql), params as unknown[])).rowCount ?? 0
    },
  }

  return {
    ...createAccessStore(runner),
    ...createFeedbackStore(runner),
    ...createUsageStore(runner),
    kind: 'postgres',
    async ping() {
      await pool.query('SELECT 1')
    },
    async insertRequestLogs(records) {
      // One multi-row INSERT per 500 records keeps under PostgreSQL's 65,535 parameters.
      for (let i = 0; i < records.length; i += 500) {
        const batch = records.slice(i, i + 500)
        await pool.query(insertSql(batch.length), batch.flatMap(logRow))
      }
    },
    async deleteRequestLogs(query) {
      const logs = retentionDelete(query, (n) => `$${n}`)
      const feedback = retentionDelete(query, (n) => `$${n}`, 'feedback')
      const deleted = await Promise.all([
        pool.query(logs.sql, logs.params),
        pool.query(feedback.sql, feedback.params),
      ])
      return deleted.reduce((sum, r) => sum + (r.rowCount ?? 0), 0)
    },
    async queryRequestLogs(query): Promise<RequestLogPage> {
      const { sql, params } = logQuery(query, (n) => `$${n}`)
      const { rows } = await pool.query(sql, params)
      const records = rows.slice(0, query.limit).map(logRecord)
      const last = records.at(-1)
      return rows.length > query.limit && last ? { records, nextCursor: encodeCursor(last) } : { records }
    },
    async close() {
      await pool.end()
    },
  }
}

/** Replicas may start together: one applies the migrations while the others wait on the lock. */
async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('SELECT pg_advisory_lock(7243)')
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    )
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations')
    const applied = new Set(rows.map((r) => r.version))
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue
      await client.query('BEGIN')
      try {
        await client.query(migration.postgres)
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          Date.now(),
        ])
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK')
        throw err
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(7243)').catch(() => {})
    client.release()
  }
}
