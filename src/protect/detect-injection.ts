import { createRuleGates } from './create-rule-gates.js'
import { decodeEncodedPayloads } from './decode-encoded-payloads.js'
import { findInstructiveComment } from './find-instructive-comment.js'
import { EXFIL_RULES } from './injection-exfil-rules.js'
import { MARKUP_RULES } from './injection-markup-rules.js'
import { OVERRIDE_RULES } from './injection-override-rules.js'
import { ROLE_RULES } from './injection-role-rules.js'
import { type InjectionRule, type InjectionSignal, NEGATED } from './injection-rule.js'
import { type InjectionText, normaliseInjectionText } from './normalise-injection-text.js'

export type InjectionSource = 'user' | 'context'

export interface InjectionVerdict {
  /** 0..1: the signals' weights combined as independent evidence, 1 − Π(1 − w). */
  score: number
  flagged: boolean
  /** Rule ids that fired (also when discounted below the threshold); never the matched text. */
  signals: InjectionSignal[]
}

export interface InjectionDetector {
  /**
   * `source` is 'user' for a user's message, 'context' for retrieved documents and tool results,
   * where instructions addressed to the assistant are themselves suspicious (indirect injection).
   */
  check(text: string, source: InjectionSource): InjectionVerdict
}

export interface InjectionDetectorOptions {
  /** Score at and above which a text is flagged; default 0.5. */
  threshold?: number
  /** Extra phrases (plain text, not expressions) that flag on their own, matched after normalising. */
  extraPhrases?: string[]
}

export const INJECTION_RULES: readonly InjectionRule[] = [
  ...OVERRIDE_RULES,
  ...ROLE_RULES,
  ...EXFIL_RULES,
  ...MARKUP_RULES,
]

const SIGNAL_ORDER: readonly InjectionSignal[] = [
  'ignore-previous',
  'role-override',
  'system-prompt-exfil',
  'dan-jailbreak',
  'delimiter-injection',
  'hidden-instructions',
  'encoded-payload',
  'addressed-to-ai',
  'data-exfil',
  'custom-phrase',
]

// Security writing quotes attacks to explain them. Where the text discusses injection, a match
// counts half, and a quoted one a quarter: an attack still fires through its other signals.
const DISCUSSION =
  /\b(?:(?:prompt|indirect|direct|sql|code) injections?|injection attacks?|(?:the|a|this|such|known|classic|famous) (?:jailbreak|injection|attack|exploit)s?|(?:text|strings?|phrases?|words|sentences?|prompts?) like|(?:dan|grandma|developer mode) jailbreak|such (?:prompts|attacks|jailbreaks|injections)|jailbreak(?:s|ing)? (?:attempts?|attacks?|prompts?|techniques?)|jailbreaks|attackers?|adversarial|red team(?:ing|s)?|researchers?|owasp|llm01|mitigations?|defen[cs]es?|detection|detectors?|classifiers?|phrases? like|payloads?|malicious|chat templates?|chatml|special tokens?|tokenizers?)\b/
const QUOTES = new Set(['"', "'", '“', '‘', '«', '„', '‹', '”'])
// Someone retracting what they themselves wrote: "ignore my previous instructions, I meant Tuesday".
const FIRST_PERSON = /\b(?:my|our|i|we|mes|nos|meine|unsere|mis|nuestras|mie|nostre|mijn|onze)\b/

// Reported, not addressed: "a robot learns to forget its old instructions"; but "I want you to ignore".
const REPORTED = /(?<!\byou |\bu )\bto $/

const isReported = (text: string, index: number): boolean =>
  REPORTED.test(text.slice(Math.max(0, index - 8), index))

const isQuoted = (text: string, index: number): boolean =>
  QUOTES.has(text[index - 1] ?? '') || QUOTES.has(text[index - 2] ?? '')

const isNegated = (text: string, index: number): boolean =>
  NEGATED.test(text.slice(Math.max(0, index - 8), index))

interface Evidence {
  weights: Map<InjectionSignal, number>
  add(id: InjectionSignal, weight: number): void
}

const createEvidence = (): Evidence => {
  const weights = new Map<InjectionSignal, number>()
  return {
    weights,
    add(id, weight) {
      weights.set(id, 1 - (1 - (weights.get(id) ?? 0)) * (1 - weight))
    },
  }
}

const ruleWeight = (
  rule: InjectionRule,
  m: RegExpExecArray,
  text: string,
  source: InjectionSource,
  isDiscussion: boolean,
): number => {
  let w = rule[source]
  if (rule.isQuotable && isDiscussion) w *= isQuoted(text, m.index) ? 0.25 : 0.5
  if (rule.isQuotable && FIRST_PERSON.test(m[0])) w *= 0.3
  if (rule.isQuotable && isReported(text, m.index)) w *= 0.4
  return w
}

/**
 * A prompt-injection and jailbreak detector: weighted heuristic signals over fixed expressions
 * (ours, written to backtrack at most a constant per character), no model and no network.
 */
export const createInjectionDetector = (opts: InjectionDetectorOptions = {}): InjectionDetector => {
  const threshold = opts.threshold ?? 0.5
  if (!(threshold > 0 && threshold <= 1))
    throw new RangeError(`threshold must be in (0, 1], got ${threshold}`)
  const extra = (opts.extraPhrases ?? [])
    .map((p) => normaliseInjectionText(p).phrase.trim())
    .filter((p) => p !== '')
  const gates = createRuleGates(INJECTION_RULES)

  const applyRules = (
    n: InjectionText,
    phrase: string,
    source: InjectionSource,
    evidence: Evidence,
  ): void => {
    const matches = gates.firstMatches(n.base, phrase, phrase === n.phrase ? n.phraseCodes : undefined)
    // Tested once, on the first match: most texts match nothing.
    let isDiscussion: boolean | undefined
    // An index loop: `entries()` would allocate a pair per rule on every text.
    for (let k = 0; k < INJECTION_RULES.length; k++) {
      const rule = INJECTION_RULES[k]!
      const m = matches[k]
      if (m === null || m === undefined) continue
      const text = rule.view === 'phrase' ? phrase : n.base
      if (rule.isNegatable && isNegated(text, m.index)) continue
      isDiscussion ??= DISCUSSION.test(phrase)
      evidence.add(rule.id, ruleWeight(rule, m, text, source, isDiscussion))
    }
  }

  // Base64 or hex that decodes to an instruction: weighed as a whole, its inner signals not reported.
  const checkEncoded = (text: string, source: InjectionSource, evidence: Evidence): void => {
    for (const decoded of decodeEncodedPayloads(text)) {
      const inner = createEvidence()
      const n = normaliseInjectionText(decoded)
      applyRules(n, n.phrase, source, inner)
      if ([...inner.weights.values()].some((w) => w >= 0.3)) {
        evidence.add('encoded-payload', source === 'user' ? 0.85 : 0.9)
        return
      }
    }
  }

  const checkHidden = (n: InjectionText, source: InjectionSource, evidence: Evidence): void => {
    const isUser = source === 'user'
    if (n.invisibleCount >= 5) evidence.add('hidden-instructions', isUser ? 0.35 : 0.6)
    else if (n.invisibleCount > 0) evidence.add('hidden-instructions', isUser ? 0.2 : 0.35)
    if (n.tagText.length >= 8) evidence.add('hidden-instructions', isUser ? 0.5 : 0.8)
    if (findInstructiveComment(n.base)) evidence.add('hidden-instructions', isUser ? 0.45 : 0.7)
  }

  return {
    check(text, source) {
      if (typeof text !== 'string') throw new TypeError('check expects a string')
      if (source !== 'user' && source !== 'context') throw new TypeError("source must be 'user' or 'context'")
      const n = normaliseInjectionText(text)
      // Tag characters are invisible ASCII: what they spell is read like the visible text.
      const phrase = n.tagText === '' ? n.phrase : `${n.phrase} ${normaliseInjectionText(n.tagText).phrase}`
      const evidence = createEvidence()
      applyRules(n, phrase, source, evidence)
      checkHidden(n, source, evidence)
      checkEncoded(text, source, evidence)
      if (extra.some((p) => phrase.includes(p))) evidence.add('custom-phrase', 0.9)
      let rest = 1
      for (const w of evidence.weights.values()) rest *= 1 - w
      const score = 1 - rest
      const signals = SIGNAL_ORDER.filter((id) => evidence.weights.has(id))
      return { score, flagged: score >= threshold, signals }
    },
  }
}
