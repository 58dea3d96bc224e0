import { Worker } from 'node:worker_threads'
import type { DetectConfig } from './detect-config.js'
import type { Finding } from './entity-types.js'

export interface ScanPool {
  scan(text: string): Promise<Finding[]>
  close(): Promise<void>
}

interface Job {
  id: number
  text: string
  resolve: (findings: Finding[]) => void
  reject: (err: Error) => void
}

interface Slot {
  worker: Worker
  job?: Job
}

/**
 * A small pool of scan workers, started on the first job: a gateway that never sees a large
 * prompt never starts a thread. Each worker builds its own detector from the same config.
 */
export const createScanPool = (options: { config: DetectConfig; size: number; workerUrl: URL }): ScanPool => {
  const slots: Slot[] = []
  const queue: Job[] = []
  let nextId = 0
  let closed = false

  const fail = (slot: Slot, err: Error): void => {
    slot.job?.reject(err)
    slot.job = undefined
    const at = slots.indexOf(slot)
    if (at >= 0) slots.splice(at, 1)
    pump()
  }

  const start = (): Slot => {
    const worker = new Worker(options.workerUrl, { workerData: { config: options.config } })
    const slot: Slot = { worker }
    worker.on('message', (msg: { id: number; findings?: Finding[]; error?: string }) => {
      const job = slot.job
      slot.job = undefined
      if (job?.id === msg.id) {
        if (msg.findings) job.resolve(msg.findings)
        else job.reject(new Error(`protect scan worker: ${msg.error ?? 'no result'}`))
      }
      pump()
    })
    worker.on('error', (err) => fail(slot, err))
    worker.on('exit', (code) => {
      if (slots.includes(slot)) fail(slot, new Error(`protect scan worker exited with code ${code}`))
    })
    slots.push(slot)
    return slot
  }

  // A worker that cannot even be constructed (a bad entry URL) fails every queued job at once:
  // the next one would fail the same way, and nothing may wait forever.
  const startOrFail = (): Slot | undefined => {
    try {
      return start()
    } catch (err) {
      for (const job of queue.splice(0)) job.reject(err as Error)
      return undefined
    }
  }

  const pump = (): void => {
    while (queue.length > 0 && !closed) {
      const idle = slots.find((s) => !s.job) ?? (slots.length < options.size ? startOrFail() : undefined)
      if (!idle) return
      const job = queue.shift() as Job
      idle.job = job
      idle.worker.postMessage({ id: job.id, text: job.text })
    }
  }

  return {
    scan(text) {
      if (closed) return Promise.reject(new Error('protect scan pool is closed'))
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, text, resolve, reject })
        pump()
      })
    },
    async close() {
      closed = true
      for (const job of queue.splice(0)) job.reject(new Error('protect scan pool is closed'))
      const all = slots.splice(0)
      for (const s of all) s.job?.reject(new Error('protect scan pool is closed'))
      await Promise.all(all.map((s) => s.worker.terminate()))
    },
  }
}
