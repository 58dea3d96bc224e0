import type Database from 'better-sqlite3'
import { LOG_COLUMNS } from '../request-log-sql.js'

/**
 * The request log's batch insert on one connection: one statement prepared once, one transaction
 * per batch of rows (as `logRow` makes them). Used by the writer thread, and on the main
 * connection for an in-memory database.
 */
export function prepareLogInsert(db: Database.Database): (rows: unknown[][]) => void {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO request_logs (${LOG_COLUMNS.join(', ')}) VALUES (${LOG_COLUMNS.map(() => '?').join(', ')})`,
  )
  return db.transaction((rows: unknown[][]) => {
    for (const row of rows) insert.run(row)
  })
}
