import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { buildCorpus, type CorpusRecord } from '../../bench/protect-corpus.js'
import { accuracyTargets, scoreCorpus } from '../../bench/protect-metrics.js'
import { createDetector } from '../../src/protect/create-detector.js'
import { BUILTIN_ENTITY_TYPES } from '../../src/protect/entity-types.js'

const corpus: CorpusRecord[] = readFileSync(
  new URL('../fixtures/protect/corpus.jsonl', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l))

describe('protect corpus', () => {
  it('is what the seeded generator produces (regenerate with node dist/bench/protect-corpus.js)', () => {
    expect(buildCorpus()).toEqual(corpus)
  })

  it('labels every built-in type, has thousands of spans and look-alikes, and spans slice inside their text', () => {
    const types = new Set(corpus.flatMap((r) => r.spans.map((s) => s.type)))
    for (const t of BUILTIN_ENTITY_TYPES) expect(types).toContain(t)
    expect(corpus.reduce((n, r) => n + r.spans.length, 0)).toBeGreaterThan(3000)
    expect(corpus.filter((r) => r.spans.length === 0).length).toBeGreaterThan(1000)
    for (const r of corpus) for (const s of r.spans) expect(s.end).toBeLessThanOrEqual(r.text.length)
  })

  it("meets the issue's targets: structured recall >= 0.99 and precision >= 0.97, secrets recall >= 0.95", () => {
    const metrics = scoreCorpus(corpus, createDetector().scan)
    const failed = accuracyTargets(metrics).filter((t) => !t.ok)
    expect(failed).toEqual([])
  })
})
