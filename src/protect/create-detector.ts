import { compileCustom } from './compile-custom.js'
import { createScanPool, type ScanPool } from './create-scan-pool.js'
import { type DetectConfigInput, parseDetectConfig } from './detect-config.js'
import type { Finding } from './entity-types.js'
import { resolveOverlaps } from './resolve-overlaps.js'
import { createBuiltinScanner } from './scan-builtins.js'

export interface Detector {
  /** Findings sorted by start, non-overlapping. Synchronous: for small texts. */
  scan(text: string): Finding[]
  /** Same findings; texts above `async_threshold_chars` are scanned in a worker thread. */
  scanAsync(text: string): Promise<Finding[]>
  /** Terminates the worker threads, if any were started. */
  close(): Promise<void>
}

export interface DetectorDeps {
  /** The compiled worker entry; defaults to `scan-worker.js` beside this module. */
  workerUrl?: URL
}

// Under vitest this module runs from src/*.ts, where no .js worker exists: use the build's.
const defaultWorkerUrl = (): URL =>
  import.meta.url.endsWith('.ts')
    ? new URL('../../dist/src/protect/scan-worker.js', import.meta.url)
    : new URL('./scan-worker.js', import.meta.url)

/** A value as allow lists and the output check compare it: without spaces, dashes, dots, parentheses or case. */
export const normaliseValue = (value: string): string => value.replace(/[\s\-.()]/g, '').toLowerCase()

/**
 * A detector for personal data and secrets. The config is validated here (throws with every key
 * path at fault); custom patterns are compiled once, with RE2.
 */
export const createDetector = (input: DetectConfigInput = {}, deps: DetectorDeps = {}): Detector => {
  const parsed = parseDetectConfig(input)
  if (!parsed.ok) throw new Error(`invalid detect config: ${parsed.errors.join('; ')}`)
  const config = parsed.config
  const enabled = new Set<string>(config.entities)
  const custom = compileCustom(config)
  const allowed = new Set(config.allow.map(normaliseValue))
  // Birth dates, names, addresses and key-word secrets are found from cue words.
  const hasCues = ['dob', 'person', 'address', 'secret'].some((t) => enabled.has(t))
  const scanBuiltins = createBuiltinScanner({ hasCues })
  let pool: ScanPool | undefined

  const scan = (text: string): Finding[] => {
    if (typeof text !== 'string') throw new TypeError('scan expects a string')
    const found = scanBuiltins(text).filter((f) => enabled.has(f.type))
    for (const run of custom) run(text, found)
    const resolved = resolveOverlaps(found)
    if (allowed.size === 0) return resolved
    return resolved.filter((f) => !allowed.has(normaliseValue(text.slice(f.start, f.end))))
  }

  return {
    scan,
    async scanAsync(text) {
      if (typeof text !== 'string') throw new TypeError('scanAsync expects a string')
      if (text.length <= config.async_threshold_chars) return scan(text)
      pool ??= createScanPool({
        config,
        size: config.workers,
        workerUrl: deps.workerUrl ?? defaultWorkerUrl(),
      })
      return pool.scan(text)
    },
    async close() {
      await pool?.close()
      pool = undefined
    },
  }
}
