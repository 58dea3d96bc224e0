import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { buildInjectionCorpus, type InjectionRecord } from '../../bench/injection-corpus.js'
import { injectionTargets, scoreInjection } from '../../bench/protect-metrics.js'
import { createInjectionDetector } from '../../src/protect/detect-injection.js'

const corpus: InjectionRecord[] = readFileSync(
  new URL('../fixtures/protect/injection.jsonl', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l))

describe('injection corpus', () => {
  it('is what the seeded generator produces (regenerate with node dist/bench/injection-corpus.js)', () => {
    expect(buildInjectionCorpus()).toEqual(corpus)
  })

  it('has 400+ records, roughly half injections, both sources, and about 30% held out', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(400)
    const share = corpus.filter((r) => r.label === 'injection').length / corpus.length
    expect(share).toBeGreaterThan(0.4)
    expect(share).toBeLessThan(0.6)
    for (const source of ['user', 'context']) {
      for (const label of ['injection', 'benign']) {
        expect(corpus.some((r) => r.source === source && r.label === label)).toBe(true)
      }
    }
    const test = corpus.filter((r) => r.split === 'test').length / corpus.length
    expect(test).toBeGreaterThan(0.2)
    expect(test).toBeLessThan(0.4)
    expect(new Set(corpus.map((r) => r.id)).size).toBe(corpus.length)
  })

  it("meets the issue's target, TPR >= 0.90 at FPR <= 0.05, on the whole corpus and on the test split", () => {
    const detector = createInjectionDetector()
    const metrics = scoreInjection(corpus, (t, s) => detector.check(t, s).flagged)
    expect(injectionTargets(metrics).filter((t) => !t.ok)).toEqual([])
  })
})
