import { Worker } from 'node:worker_threads'

/** Writes request-log rows into the SQLite file from a worker thread. */
export interface LogWriter {
  insert(rows: unknown[][]): Promise<void>
  close(): Promise<void>
}

interface Pending {
  resolve: () => void
  reject: (err: Error) => void
}

/**
 * The request log's writer on its own thread, with its own connection (WAL lets it write while
 * the main connection reads): a batch commit, milliseconds for hundreds of rows, no longer holds
 * the event loop. Started on the first batch; a thread that dies fails the batches it held (the
 * recorder keeps and retries them) and the next batch starts another.
 */
export function createLogWriter(path: string, workerUrl: URL): LogWriter {
  let worker: Worker | undefined
  const pending = new Map<number, Pending>()
  let nextId = 0

  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err)
    pending.clear()
    worker = undefined
  }

  const start = (): Worker => {
    const w = new Worker(workerUrl, { workerData: { path } })
    w.on('message', (msg: { id: number; error?: string }) => {
      const p = pending.get(msg.id)
      pending.delete(msg.id)
      if (msg.error === undefined) p?.resolve()
      else p?.reject(new Error(`request log writer: ${msg.error}`))
    })
    w.on('error', (err) => {
      if (worker === w) failAll(err)
    })
    w.on('exit', (code) => {
      if (worker === w) failAll(new Error(`request log writer exited with code ${code}`))
    })
    return w
  }

  // The thread answers in the order it was sent to, and a dead one fails everything it held: once
  // the last batch sent has settled, every earlier one has too.
  let lastSettled: Promise<unknown> = Promise.resolve()

  return {
    insert(rows) {
      worker ??= start()
      const id = nextId++
      const sent = worker
      const done = new Promise<void>((resolve, reject) => {
        pending.set(id, { resolve, reject })
        sent.postMessage({ id, rows })
      })
      lastSettled = done.catch(() => {})
      return done
    },
    async close() {
      // Batches already sent are answered first (the recorder has drained before this).
      await lastSettled
      const w = worker
      worker = undefined
      if (!w) return
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()))
      w.postMessage({ close: true })
      await exited
    },
  }
}
