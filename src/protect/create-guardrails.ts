import type { CancelSignal } from '../cancel-signal.js'
import type { GuardAction, GuardrailsConfig } from '../config/protect-schema.js'
import type { TextSlot } from './collect-texts.js'
import { compileDenyRules, type DenyRule } from './compile-deny-rules.js'
import { createTextCache } from './create-text-cache.js'
import { createInjectionDetector, type InjectionVerdict } from './detect-injection.js'
import type { RemoteCheck } from './remote-checks.js'

/** What one guardrail concluded about a request or an answer; never the text it matched. */
export interface GuardVerdict {
  /** `injection`, `indirect_injection`, a deny rule's name, `classifier`, `guard_model`, `output.secrets`... */
  rule: string
  source: 'user' | 'context' | 'output'
  action: Exclude<GuardAction, 'off'>
  score?: number
  /** Stable signal ids (e.g. `ignore-previous`), never matched text. */
  signals?: string[]
}

/** A tenant's overrides: rule name → action. */
export type GuardOverrides = Readonly<Record<string, GuardAction>> | undefined

export interface Guardrails {
  /**
   * Every verdict on the request's user and context texts (built-in checks, then remote ones).
   * `keys[i]` is the cache key of `slots[i]` (see RequestScan).
   */
  checkInput(
    slots: readonly TextSlot[],
    keys: readonly (string | undefined)[],
    overrides: GuardOverrides,
    signal: CancelSignal,
  ): Promise<GuardVerdict[]>
  /** The deny rules that read answers. */
  readonly outputRules: readonly DenyRule[]
  readonly config: GuardrailsConfig
}

export const resolveAction = (
  rule: string,
  configured: GuardAction,
  overrides: GuardOverrides,
): GuardAction => overrides?.[rule] ?? configured

/**
 * Input guardrails: the built-in injection detector on the caller's messages and, with a stricter
 * reading, on tool results (indirect injection); deny rules; the optional HTTP classifier and
 * guard model. Built-in checks are synchronous and cheap; remote checks run only when configured,
 * in parallel, and only over the texts they apply to.
 */
export function createGuardrails(config: GuardrailsConfig, remote: readonly RemoteCheck[] = []): Guardrails {
  const injection = createInjectionDetector({ threshold: config.injection_threshold })
  // Earlier turns come back with every request of a conversation: judge each text once.
  const judged = createTextCache<InjectionVerdict>()
  const judge = (text: string, source: 'user' | 'context', key: string | undefined): InjectionVerdict => {
    const cacheKey = key === undefined ? undefined : `${source}:${key}`
    const cached = judged.get(cacheKey)
    if (cached) return cached
    const verdict = injection.check(text, source)
    judged.set(cacheKey, verdict)
    return verdict
  }
  const deny = compileDenyRules(config.deny)
  const inputRules = deny.filter((r) => r.appliesTo.has('user') || r.appliesTo.has('context'))
  return {
    config,
    outputRules: deny.filter((r) => r.appliesTo.has('output')),
    async checkInput(slots, keys, overrides, signal) {
      const verdicts: GuardVerdict[] = []
      const direct = resolveAction('injection', config.injection, overrides)
      const indirect = resolveAction('indirect_injection', config.indirect_injection, overrides)
      const seen = new Set<string>()
      for (const [i, slot] of slots.entries()) {
        if (slot.source !== 'user' && slot.source !== 'context') continue
        const source = slot.source
        const action = source === 'user' ? direct : indirect
        const rule = source === 'user' ? 'injection' : 'indirect_injection'
        if (action !== 'off' && !seen.has(rule)) {
          const verdict = judge(slot.text, source, keys[i])
          if (verdict.flagged) {
            seen.add(rule)
            verdicts.push({ rule, source, action, score: round(verdict.score), signals: verdict.signals })
          }
        }
        for (const deny of inputRules) {
          if (!deny.appliesTo.has(source) || seen.has(deny.name)) continue
          const denyAction = resolveAction(deny.name, deny.action, overrides)
          if (denyAction === 'off' || !deny.matches(slot.text)) continue
          seen.add(deny.name)
          verdicts.push({ rule: deny.name, source, action: denyAction })
        }
      }
      if (remote.length > 0 && !verdicts.some((v) => v.action === 'block')) {
        const results = await Promise.all(remote.map((check) => check.run(slots, overrides, signal)))
        for (const result of results) verdicts.push(...result)
      }
      return verdicts
    },
  }
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000
}
