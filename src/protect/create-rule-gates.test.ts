import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createRuleGates } from './create-rule-gates.js'
import { INJECTION_RULES } from './detect-injection.js'
import { alt, rule } from './injection-rule.js'
import { normaliseInjectionText } from './normalise-injection-text.js'

const corpus = readFileSync(new URL('../../test/fixtures/protect/injection.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => (JSON.parse(l) as { text: string }).text)

const gates = createRuleGates(INJECTION_RULES)

// The gate alone (as before 'also' and anchoring): one of its words in the phrase, or its literal.
const isGateOpen = (k: number, base: string, phrase: string): boolean => {
  const gate = INJECTION_RULES[k]?.gate
  if (gate === undefined) return false
  if (!Array.isArray(gate)) return base.includes((gate as { literal: string }).literal)
  const words = new Set(phrase.split(/[^a-z0-9]+/))
  return (gate as readonly string[]).some((w) => words.has(w))
}

// 'also' words and anchoring may only skip rules that have no match: where the plain gate is open,
// the first match must be the expression's own first match, at the same index with the same text.
const expectSameFirstMatches = (text: string): void => {
  const n = normaliseInjectionText(text)
  const matches = gates.firstMatches(n.base, n.phrase, n.phraseCodes)
  for (const [k, r] of INJECTION_RULES.entries()) {
    if (!isGateOpen(k, n.base, n.phrase)) continue
    const own = r.re.exec(r.view === 'phrase' ? n.phrase : n.base)
    const got = matches[k] ?? null
    expect([got?.index, got?.[0]], `${r.re.source} on ${JSON.stringify(text)}`).toEqual([
      own?.index,
      own?.[0],
    ])
  }
}

const WORDS = [
  ...new Set(
    INJECTION_RULES.flatMap((r) => [
      ...(Array.isArray(r.gate) ? (r.gate as readonly string[]) : []),
      ...r.also.flat(),
    ]),
  ),
  'the',
  'a',
  'your',
  'you are',
  'now',
  'must',
  'previous',
  'instructions',
  'different',
  'normal',
  'developer mode',
  ',',
  ':',
  '.',
  "'",
  '\n',
]

describe('createRuleGates', () => {
  it('gives every rule its own first match on the labelled corpus', () => {
    for (const text of corpus) expectSameFirstMatches(text)
  })

  it('gives every rule its own first match on word salad of gate words', () => {
    const salad = fc
      .array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 30 })
      .map((words) => words.join(' '))
    fc.assert(
      fc.property(salad, (text) => expectSameFirstMatches(text)),
      { numRuns: 3000 },
    )
  })

  it("gives every rule its own first match on salad of that rule's own words", () => {
    // The literal pieces of each expression ("two", "different ", "responses", "normal"...): texts
    // made of them match often, so a wrong 'also' list or anchor shows.
    const pieces = INJECTION_RULES.map((r) =>
      r.re.source
        .split(/\\[bsdw]|[^a-z0-9' ]+/)
        .map((p) => p.trim())
        .filter((p) => p !== ''),
    )
    for (const own of pieces) {
      const salad = fc
        .array(fc.constantFrom(...own, ',', ':'), { minLength: 1, maxLength: 10 })
        .map((words) => words.join(' '))
      fc.assert(
        fc.property(salad, (text) => expectSameFirstMatches(text)),
        { numRuns: 300 },
      )
    }
  })

  it('tries an anchored rule at every occurrence of its gate words, not only the first', () => {
    const anchored = rule({
      id: 'dan-jailbreak',
      gate: ['two', 'both'],
      source: `\\b${alt(['two', 'both'])} answers`,
      weights: [1, 1],
    })
    const g = createRuleGates([anchored])
    const text = 'both cats, two dogs, then two answers and both answers'
    expect(g.firstMatches(text, text)[0]?.index).toBe(text.indexOf('two answers'))
    expect(g.firstMatches('no answers here', 'no answers here')[0]).toBeNull()
  })

  it("shuts a rule whose 'also' words are missing, and refuses 'also' on a base-view rule", () => {
    const withAlso = rule({
      id: 'dan-jailbreak',
      gate: ['two'],
      also: [['answers']],
      source: '\\btwo\\b',
      weights: [1, 1],
    })
    const g = createRuleGates([withAlso])
    expect(g.firstMatches('two cats', 'two cats')[0]).toBeNull()
    expect(g.firstMatches('two answers', 'two answers')[0]?.[0]).toBe('two')
    const base = rule({
      id: 'dan-jailbreak',
      view: 'base',
      gate: ['two'],
      also: [['x']],
      source: 'two',
      weights: [1, 1],
    })
    expect(() => createRuleGates([base])).toThrow(TypeError)
  })
})
