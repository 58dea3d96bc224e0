/**
 * Worker thread entry for `scanAsync`: builds a detector from the config it was started with and
 * answers `{ id, text }` with `{ id, findings }`. Findings are offsets only, so nothing sensitive
 * crosses back except positions.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { createDetector } from './create-detector.js'

const detector = createDetector(workerData.config)
parentPort?.on('message', (msg: { id: number; text: string }) => {
  try {
    parentPort?.postMessage({ id: msg.id, findings: detector.scan(msg.text) })
  } catch (err) {
    parentPort?.postMessage({ id: msg.id, error: (err as Error).name })
  }
})
