/**
 * The injection half of `npm run bench:protect`: TPR and FPR on the labelled corpus (whole, and the
 * held-out split) per source, and the speed of `check` on one core.
 */
import { readFileSync } from 'node:fs'
import { createInjectionDetector } from '../src/protect/detect-injection.js'
import type { InjectionRecord } from './injection-corpus.js'
import { formatTable, injectionTargets, scoreInjection, type Target } from './protect-metrics.js'

const CORPUS = new URL('../../test/fixtures/protect/injection.jsonl', import.meta.url)

export const loadInjectionCorpus = (): InjectionRecord[] =>
  readFileSync(CORPUS, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as InjectionRecord)

interface Speed {
  mbPerCpuS: number
  promptMicros: number
}

const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

const cpuMicros = (work: () => void): number => {
  const c0 = process.cpuUsage()
  work()
  const c = process.cpuUsage(c0)
  return c.user + c.system
}

/**
 * MB per CPU second of `check` over 1 KB prompts cut from `typical` (median of 7 rounds after a
 * warm-up), and the median CPU µs of one 1 KB prompt, alternating the two sources.
 */
const measureSpeed = (typical: string): Speed => {
  const detector = createInjectionDetector()
  // Through JSON, as a request body delivers them: flat strings, not slices of the big text.
  const prompts = Array.from(
    { length: Math.floor(typical.length / 1024) },
    (_, i) => JSON.parse(JSON.stringify(typical.slice(i * 1024, (i + 1) * 1024))) as string,
  )
  const all = () => {
    for (const [i, p] of prompts.entries()) detector.check(p, i % 2 === 0 ? 'user' : 'context')
  }
  all()
  const rounds = Array.from({ length: 7 }, () => cpuMicros(all))
  const bytes = prompts.length * 1024
  const one = prompts
    .slice(0, 2000)
    .map((p, i) => cpuMicros(() => detector.check(p, i % 2 === 0 ? 'user' : 'context')))
  return { mbPerCpuS: bytes / median(rounds), promptMicros: median(one) }
}

/** Prints the injection tables and returns the targets for them. */
export const reportInjection = (typical: string): Target[] => {
  const corpus = loadInjectionCorpus()
  const detector = createInjectionDetector()
  const metrics = scoreInjection(corpus, (t, s) => detector.check(t, s).flagged)
  const rows = metrics.map((m) => [
    m.split,
    m.source,
    String(m.positives),
    String(m.negatives),
    m.tpr.toFixed(3),
    m.fpr.toFixed(3),
  ])
  process.stdout.write(
    `\ninjection corpus: ${corpus.length} records (train split tuned, test split held out)\n\n`,
  )
  process.stdout.write(`${formatTable(['split', 'source', 'injections', 'benign', 'TPR', 'FPR'], rows)}\n\n`)
  const speed = measureSpeed(typical)
  process.stdout.write(
    `injection check, 1 KB prompts of typical text: ${speed.mbPerCpuS.toFixed(1)} MB/s per CPU s, median ${speed.promptMicros} µs CPU per prompt\n\n`,
  )
  return [
    ...injectionTargets(metrics),
    {
      name: 'injection check of a 1 KB prompt < 50 µs CPU',
      ok: speed.promptMicros < 50,
      detail: `${speed.promptMicros} µs`,
    },
  ]
}
