import RE2 from 're2'
import type { DenyRuleConfig } from '../config/protect-schema.js'
import { escapeRe2 } from './compile-custom.js'

export type DenyScope = 'user' | 'context' | 'output'

/** A compiled deny rule: does this text break it? The match itself is never returned. */
export interface DenyRule {
  name: string
  appliesTo: ReadonlySet<DenyScope>
  action: DenyRuleConfig['action']
  matches(text: string): boolean
}

/**
 * Deny rules from `protect.guardrails.deny`, compiled once per config with RE2, so a pattern from
 * config runs in time linear in the text whatever it is. Key words become one alternation matched
 * at word boundaries (`\b` in RE2 is ASCII-only, hence the explicit non-letter guards).
 */
export function compileDenyRules(rules: readonly DenyRuleConfig[]): DenyRule[] {
  return rules.map((rule) => {
    const patterns: RE2[] = []
    if (rule.pattern !== undefined) patterns.push(new RE2(rule.pattern, rule.flags.replace('g', '')))
    if (rule.keywords !== undefined) {
      const words = rule.keywords.map((w) => escapeRe2(w.trim()).replace(/\s+/g, '\\s+')).join('|')
      patterns.push(new RE2(`(?:^|[^\\pL\\pN_])(?:${words})(?:$|[^\\pL\\pN_])`, 'iu'))
    }
    return {
      name: rule.name,
      appliesTo: new Set(rule.applies_to),
      action: rule.action,
      matches: (text) => patterns.some((p) => p.test(text)),
    }
  })
}
