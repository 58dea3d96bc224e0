/** Stable ids of the injection signals: what a verdict reports, never the matched text. */
export type InjectionSignal =
  | 'ignore-previous'
  | 'role-override'
  | 'system-prompt-exfil'
  | 'dan-jailbreak'
  | 'delimiter-injection'
  | 'hidden-instructions'
  | 'encoded-payload'
  | 'addressed-to-ai'
  | 'data-exfil'
  | 'custom-phrase'

export interface InjectionRule {
  id: InjectionSignal
  /** Which view of the text the expression reads (see normalise-injection-text.ts). */
  view: 'phrase' | 'base'
  re: RegExp
  /**
   * The rule is tried only when one of these words occurs in the phrase view, or this literal in the
   * base view: every match contains one. Most prompts then try a handful of the expressions.
   */
  gate: readonly string[] | { literal: string }
  /**
   * Phrase rules only: further necessary conditions, checked once the gate is open. Every match
   * contains a word of each list, so a text with only the common gate word skips the expression.
   * (Base rules have none: a literal search per candidate cost more than the expressions it saved.)
   */
  also: readonly (readonly string[])[]
  /** Weight of a match in a user message and in retrieved content or a tool result. */
  user: number
  context: number
  /** Discounted where the text discusses injection (a security article) or the match is quoted. */
  isQuotable: boolean
  /** Ignored after a negation (NEGATED). */
  isNegatable: boolean
}

/** `(?:a|b|c)` from words; the words are ours and contain no expression syntax but `'` and spaces. */
export const alt = (words: readonly string[]): string => `(?:${words.join('|')})`

/**
 * A bounded lazy gap inside one sentence. Bounded so that no expression backtracks more than a
 * constant per position: no nested quantifiers anywhere in the rule set.
 */
export const gap = (maxChars: number): string => `[^.!?\\n]{0,${maxChars}}?`

// Negated verbs ("don't forget the instructions", "n'oubliez pas", "no olvide") are advice, not an
// override. Checked on the few characters before a match, not as a lookbehind tried at every position.
export const NEGATED = /(?:\b(?:not|no|never|don't|dont|do not|ne|non|nicht|niet|nunca|jamais|mai) |n')$/

interface RuleInput {
  id: InjectionSignal
  view?: 'phrase' | 'base'
  gate: readonly string[] | { literal: string }
  also?: readonly (readonly string[])[]
  source: string
  weights: readonly [user: number, context: number]
  isQuotable?: boolean
  isNegatable?: boolean
}

export const rule = ({
  id,
  view = 'phrase',
  gate,
  also = [],
  source,
  weights,
  isQuotable = true,
  isNegatable = false,
}: RuleInput): InjectionRule => ({
  id,
  view,
  re: new RegExp(source),
  gate,
  also,
  user: weights[0],
  context: weights[1],
  isQuotable,
  isNegatable,
})
