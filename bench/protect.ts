/**
 * `npm run bench:protect`: accuracy of the detectors on the labelled corpus, scanning speed on one
 * core, and how long a 1 MB prompt can block the event loop through `scanAsync`.
 */
import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createDetector } from '../src/protect/create-detector.js'
import type { CorpusRecord } from './protect-corpus.js'
import { reportInjection } from './protect-injection.js'
import { accuracyTargets, formatTable, scoreCorpus, type Target } from './protect-metrics.js'
import { mixedText } from './protect-text.js'

const CORPUS = new URL('../../test/fixtures/protect/corpus.jsonl', import.meta.url)

const loadCorpus = (): CorpusRecord[] =>
  readFileSync(CORPUS, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CorpusRecord)

const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

/**
 * Median MB/s of `runs` scans of `text` after three warm-up scans (a gateway runs warm), per CPU second (user + system time
 * of the process: on a shared machine, wall time also counts the time other processes held the
 * core) and per wall second.
 */
const throughput = (scan: (t: string) => unknown, text: string, runs = 7): { cpu: number; wall: number } => {
  for (let i = 0; i < 3; i++) scan(text)
  const cpu: number[] = []
  const wall: number[] = []
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    scan(text)
    const c = process.cpuUsage(c0)
    wall.push(text.length / 1e6 / ((performance.now() - t0) / 1000))
    cpu.push(text.length / 1e6 / ((c.user + c.system) / 1e6))
  }
  return { cpu: median(cpu), wall: median(wall) }
}

/**
 * CPU microseconds to scan one ~1 KB prompt (median of `count` different prompts, warm): what the
 * request path would pay inline, against its 0.4 ms budget.
 */
const perPromptMicros = (scan: (t: string) => unknown, text: string, count = 2000): number => {
  const prompts = Array.from({ length: count }, (_, i) => text.slice(i * 1024, (i + 1) * 1024))
  for (const p of prompts) scan(p)
  const micros = prompts.map((p) => {
    const c0 = process.cpuUsage()
    scan(p)
    const c = process.cpuUsage(c0)
    return c.user + c.system
  })
  return median(micros)
}

interface Blocking {
  /** Longest time a scanAsync call held the event loop before returning its promise. */
  callMaxMs: number
  callMedianMs: number
  /** The same for the first call, which also starts the worker thread. */
  firstCallMs: number
  /** Longest event-loop delay seen while the scans ran (monitorEventLoopDelay), and while idle. */
  loopMaxMs: number
  idleLoopMaxMs: number
}

const loopDelayMax = async (work: () => Promise<void>): Promise<number> => {
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  histogram.enable()
  await work()
  histogram.disable()
  return histogram.max / 1e6
}

/**
 * How long `scanAsync` on `text` blocks the event loop. The event-loop delay also counts the time the
 * OS gave the core to other processes, so it is shown beside the same measure taken while idle.
 */
const blocking = async (
  scanAsync: (t: string) => Promise<unknown>,
  text: string,
  runs: number,
): Promise<Blocking> => {
  const calls: number[] = []
  let elapsedMs = 0
  const loopMaxMs = await loopDelayMax(async () => {
    const started = performance.now()
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now()
      const pending = scanAsync(text)
      calls.push(performance.now() - t0)
      await pending
    }
    elapsedMs = performance.now() - started
  })
  const idleLoopMaxMs = await loopDelayMax(() => new Promise((resolve) => setTimeout(resolve, elapsedMs)))
  const warm = calls.slice(1)
  return {
    callMaxMs: Math.max(...warm),
    callMedianMs: median(warm),
    firstCallMs: calls[0] ?? 0,
    loopMaxMs,
    idleLoopMaxMs,
  }
}

const main = async (): Promise<void> => {
  const corpus = loadCorpus()
  const detector = createDetector()
  const metrics = scoreCorpus(corpus, detector.scan)
  const spans = corpus.reduce((n, r) => n + r.spans.length, 0)
  process.stdout.write(`protect corpus: ${corpus.length} records, ${spans} labelled spans\n\n`)
  const rows = metrics.map((m) => [
    m.type,
    m.precision.toFixed(3),
    m.recall.toFixed(3),
    m.f1.toFixed(3),
    String(m.support),
    String(m.fp),
    String(m.fn),
  ])
  process.stdout.write(
    `${formatTable(['type', 'precision', 'recall', 'F1', 'support', 'FP', 'FN'], rows)}\n\n`,
  )

  const typical = mixedText(corpus, 4_000_000)
  const dense = corpus.map((r) => r.text).join('\n')
  const typicalRate = throughput(detector.scan, typical)
  const denseRate = throughput(detector.scan, dense)
  // Without the types found from cue words (dob, person, address, secret) the second pass is skipped.
  const structuredOnly = createDetector({
    entities: ['email', 'phone', 'card', 'iban', 'ssn_us', 'nir_fr', 'dni_es', 'cf_it', 'ip'],
  })
  const structuredRate = throughput(structuredOnly.scan, typical)
  const onePromptMicros = perPromptMicros(detector.scan, typical)
  const prompt = mixedText(corpus, 1_000_000)
  const block = await blocking(detector.scanAsync, prompt, 20)
  const blockMs = Math.max(block.callMaxMs, block.firstCallMs)
  await detector.close()
  const speed = [
    ['typical text (prose, code, logs; a labelled record every ~1.5 KB)', typical, typicalRate] as const,
    ['corpus only (every line an entity or a look-alike)', dense, denseRate] as const,
    ['typical text, structured types only (no cue-word pass)', typical, structuredRate] as const,
  ].map(([what, text, rate]) => [
    what,
    `${(text.length / 1e6).toFixed(1)} MB`,
    rate.cpu.toFixed(1),
    rate.wall.toFixed(1),
  ])
  process.stdout.write(
    `${formatTable(['speed, one thread', 'size', 'MB/s per CPU s', 'MB/s wall'], speed)}\n`,
  )
  process.stdout.write(`scan of one 1 KB prompt, median of 2,000: ${onePromptMicros} µs CPU\n`)
  const blockRows = [
    ['first call (starts the worker thread)', block.firstCallMs.toFixed(1)],
    ['median of the 19 other calls', block.callMedianMs.toFixed(1)],
    ['longest of the 19 other calls', block.callMaxMs.toFixed(1)],
    ['event-loop delay max while scanning (monitorEventLoopDelay)', block.loopMaxMs.toFixed(1)],
    ['event-loop delay max while idle, same duration (machine noise)', block.idleLoopMaxMs.toFixed(1)],
  ]
  process.stdout.write(`\n${formatTable(['1 MB prompt via scanAsync, 20 runs', 'ms'], blockRows)}\n\n`)

  const injection = reportInjection(typical)
  const targets: Target[] = [
    ...accuracyTargets(metrics),
    ...injection,
    {
      name: 'typical text >= 50 MB/s per core',
      ok: typicalRate.cpu >= 50,
      detail: typicalRate.cpu.toFixed(1),
    },
    {
      name: '1 MB prompt blocks the event loop <= 20 ms',
      ok: blockMs <= 20,
      detail: `${blockMs.toFixed(1)} ms`,
    },
  ]
  const table = targets.map((t) => [t.name, t.detail, t.ok ? 'PASS' : 'FAIL'])
  process.stdout.write(`${formatTable(['target', 'measured', ''], table)}\n`)
  if (targets.some((t) => !t.ok)) process.exitCode = 1
}

await main()
