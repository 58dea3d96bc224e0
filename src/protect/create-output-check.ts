import type { GuardrailsConfig } from '../config/protect-schema.js'
import type { DenyRule } from './compile-deny-rules.js'
import { normaliseValue } from './create-detector.js'
import type { GuardOverrides, GuardVerdict } from './create-guardrails.js'
import { resolveAction } from './create-guardrails.js'
import type { Finding } from './entity-types.js'

/** Reads an answer as it arrives (any chunking) and says when a guardrail trips. */
export interface OutputCheck {
  /** Returns a verdict whose action is `block` as soon as one is found. */
  push(text: string): GuardVerdict | undefined
  /** Checks what is still pending; the answer is complete. */
  end(): GuardVerdict | undefined
  readonly verdicts: readonly GuardVerdict[]
}

export interface OutputCheckOptions {
  config: GuardrailsConfig
  overrides: GuardOverrides
  scan: (text: string) => Finding[]
  /** Normalised values of the personal data the request carried (the answer may repeat those); asked for only when needed. */
  requestValues: () => ReadonlySet<string>
  /** The system prompt(s), to recognise a leak. */
  systemTexts: readonly string[]
  denyRules: readonly DenyRule[]
}

// Scanning every tiny stream delta would cost more than the answer: scan in batches, and keep a
// tail so that a value split across batches is still seen whole.
const BATCH_CHARS = 160
const TAIL_CHARS = 320
// A leak is this many words in a row taken verbatim from the system prompt.
const SHINGLE_WORDS = 8
const LEAK_SHINGLES = 3

const words = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []

function shingles(text: string): Set<string> {
  const w = words(text)
  const out = new Set<string>()
  for (let i = 0; i + SHINGLE_WORDS <= w.length; i++) out.add(w.slice(i, i + SHINGLE_WORDS).join(' '))
  return out
}

/**
 * Output guardrails: secrets in the answer, personal data the request did not carry (the model
 * made it up or recalled it), long verbatim passages of the system prompt, and deny rules that
 * read answers. Runs on the provider's raw answer, before pseudonyms are restored.
 */
export function createOutputCheck(options: OutputCheckOptions): OutputCheck {
  const { config, overrides, scan } = options
  let requestValues: ReadonlySet<string> | undefined
  const carried = (value: string): boolean => {
    requestValues ??= options.requestValues()
    return requestValues.has(normaliseValue(value))
  }
  const actions = {
    secrets: resolveAction('output.secrets', config.output.secrets, overrides),
    pii: resolveAction('output.pii', config.output.pii, overrides),
    leak: resolveAction('output.system_prompt_leak', config.output.system_prompt_leak, overrides),
  }
  // Built on the first window long enough to hold a run: most answers are checked without it.
  let system: Set<string> | undefined
  const systemShingles = (): Set<string> =>
    (system ??= actions.leak === 'off' ? new Set<string>() : shingles(options.systemTexts.join('\n')))
  const rules = options.denyRules.map((r) => ({
    rule: r,
    action: resolveAction(r.name, r.action, overrides),
  }))
  const verdicts: GuardVerdict[] = []
  const fired = new Set<string>()
  const leaked = new Set<string>()
  let tail = ''
  let pending = ''

  const fire = (rule: string, action: GuardVerdict['action'] | 'off'): GuardVerdict | undefined => {
    if (action === 'off' || fired.has(rule)) return undefined
    fired.add(rule)
    const verdict: GuardVerdict = { rule, source: 'output', action }
    verdicts.push(verdict)
    return verdict
  }

  const check = (): GuardVerdict | undefined => {
    if (pending === '') return undefined
    const window = tail + pending
    const fresh = tail.length
    tail = window.slice(-TAIL_CHARS)
    pending = ''
    const found: Array<GuardVerdict | undefined> = []
    if (actions.secrets !== 'off' || actions.pii !== 'off') {
      for (const f of scan(window)) {
        if (f.end <= fresh) continue
        if (f.type === 'secret') found.push(fire('output.secrets', actions.secrets))
        else if (!carried(window.slice(f.start, f.end))) found.push(fire('output.pii', actions.pii))
      }
    }
    if (actions.leak !== 'off' && options.systemTexts.length > 0 && !fired.has('output.system_prompt_leak')) {
      const own = shingles(window)
      const known = own.size === 0 ? own : systemShingles()
      for (const s of own) if (known.has(s)) leaked.add(s)
      if (leaked.size >= LEAK_SHINGLES) found.push(fire('output.system_prompt_leak', actions.leak))
    }
    for (const { rule, action } of rules) if (rule.matches(window)) found.push(fire(rule.name, action))
    return found.find((v) => v?.action === 'block')
  }

  return {
    verdicts,
    push(text) {
      pending += text
      return pending.length >= BATCH_CHARS ? check() : undefined
    },
    end: check,
  }
}
