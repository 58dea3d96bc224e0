/**
 * Worker thread entry for the request-log writer: its own connection to the SQLite file, one
 * transaction per batch of rows, answering `{ id }` or `{ id, error }`. `close` closes the
 * connection and lets the thread end.
 */
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { prepareLogInsert } from './prepare-log-insert.js'

const db = new Database(workerData.path as string)
// The main connection made the file WAL and migrated it; these are per connection.
db.pragma('synchronous = NORMAL')
db.pragma('busy_timeout = 5000')
const insertMany = prepareLogInsert(db)

parentPort?.on('message', (msg: { id: number; rows?: unknown[][]; close?: true }) => {
  if (msg.close) {
    db.close()
    parentPort?.close()
    return
  }
  try {
    insertMany(msg.rows ?? [])
    parentPort?.postMessage({ id: msg.id })
  } catch (err) {
    parentPort?.postMessage({ id: msg.id, error: (err as Error).message })
  }
})
