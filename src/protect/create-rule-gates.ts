import { createWordGate } from './create-word-gate.js'
import { alt, type InjectionRule } from './injection-rule.js'

export interface RuleGates {
  /**
   * Per rule, in order: its first match in its view, or null when it has none or a gate is shut.
   * `phraseCodes`, when given, are the phrase's char codes (read faster than the string).
   */
  firstMatches(
    base: string,
    phrase: string,
    phraseCodes?: Uint8Array | Uint16Array,
  ): (RegExpExecArray | null)[]
}

interface GatedRule {
  rule: InjectionRule
  /** The base-view literal that opens the rule, when it is not gated on words. */
  literal: string | undefined
  /** Hashes of the gate words, without repeats. */
  gateHashes: number[]
  /** `also` as word hashes. */
  alsoWords: number[][]
  /** A sticky copy of the expression when every match starts at a gate word (see isAnchored). */
  sticky: RegExp | undefined
}

const NONE: readonly number[] = []

/**
 * Whether every match of a phrase rule starts with one of its gate words as a whole word: the
 * expression opens with `\b` and the gate words' alternation (or the one gate word), then a space
 * or `\b`. Such a rule is tried only where a gate word starts, not at every position.
 */
const isAnchored = (rule: InjectionRule): boolean => {
  if (rule.view !== 'phrase' || !Array.isArray(rule.gate)) return false
  const words = rule.gate as readonly string[]
  const heads = [`\\b${alt(words)}`, ...(words.length === 1 ? [`\\b${words[0]}`] : [])]
  const { source } = rule.re
  return heads.some(
    (h) => source.startsWith(h) && (source.startsWith(' ', h.length) || source.startsWith('\\b', h.length)),
  )
}

const firstAnchored = (g: GatedRule, sticky: RegExp, hits: Map<number, number[]>, text: string) => {
  const lists = g.gateHashes.map((h) => hits.get(h) ?? NONE).filter((l) => l.length > 0)
  const starts = lists.length === 1 ? (lists[0] as readonly number[]) : lists.flat().sort((a, b) => a - b)
  for (const start of starts) {
    sticky.lastIndex = start
    const m = sticky.exec(text)
    if (m !== null) return m
  }
  return null
}

const hasAlsoWords = (g: GatedRule, hits: Map<number, number[]>): boolean => {
  for (const words of g.alsoWords) {
    if (!words.some((h) => hits.has(h))) return false
  }
  return true
}

const firstMatch = (g: GatedRule, base: string, phrase: string, hits: Map<number, number[]>) => {
  const text = g.rule.view === 'phrase' ? phrase : base
  return g.sticky === undefined ? g.rule.re.exec(text) : firstAnchored(g, g.sticky, hits, text)
}

/**
 * Cheap necessary conditions in front of the rules' expressions: one pass over the phrase view's
 * words opens the rules gated on them, a literal search the others, and `also` shuts those that
 * lack a second word. Most prompts then run a handful of expressions, anchored where
 * possible. A gate never changes a rule's first match, only whether it is looked for.
 */
export const createRuleGates = (rules: readonly InjectionRule[]): RuleGates => {
  const invalid = rules.find((r) => r.view === 'base' && r.also.length > 0)
  if (invalid) throw new TypeError(`a base-view rule takes no 'also' words: ${invalid.re.source}`)
  const phraseAlso = rules.flatMap((r) => r.also.flat())
  const gateWords = rules.flatMap((r) => (Array.isArray(r.gate) ? (r.gate as readonly string[]) : []))
  const gate = createWordGate([...gateWords, ...phraseAlso])
  const gated: GatedRule[] = rules.map((rule) => ({
    rule,
    literal: Array.isArray(rule.gate) ? undefined : (rule.gate as { literal: string }).literal,
    gateHashes: Array.isArray(rule.gate) ? [...new Set((rule.gate as readonly string[]).map(gate.hash))] : [],
    alsoWords: rule.also.map((words) => words.map(gate.hash)),
    sticky: isAnchored(rule) ? new RegExp(rule.re.source, 'y') : undefined,
  }))
  const byLiteral = new Map<string, number[]>()
  for (const [k, g] of gated.entries()) {
    if (g.literal !== undefined) byLiteral.set(g.literal, [...(byLiteral.get(g.literal) ?? []), k])
  }
  const byWord = new Map<number, number[]>()
  for (const [k, g] of gated.entries()) {
    for (const h of g.gateHashes) byWord.set(h, [...(byWord.get(h) ?? []), k])
  }
  return {
    firstMatches(base, phrase, phraseCodes) {
      const hits = gate.find(phraseCodes ?? phrase)
      const isOpen = new Uint8Array(gated.length)
      for (const h of hits.keys()) for (const k of byWord.get(h) ?? NONE) isOpen[k] = 1
      // One search per distinct literal ('#' gates two rules).
      for (const [literal, ks] of byLiteral) if (base.includes(literal)) for (const k of ks) isOpen[k] = 1
      const matches: (RegExpExecArray | null)[] = []
      for (let k = 0; k < gated.length; k++) {
        const g = gated[k] as GatedRule
        matches.push(isOpen[k] === 1 && hasAlsoWords(g, hits) ? firstMatch(g, base, phrase, hits) : null)
      }
      return matches
    },
  }
}
