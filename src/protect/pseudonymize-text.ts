import { createHmac } from 'node:crypto'
import type { Finding } from './entity-types.js'
import { placeholderLabel } from './placeholder-label.js'
import type { PlaceholderVault } from './placeholder-vault.js'

/** What to do with one finding: keep it, `[EMAIL]`, `[EMAIL:<hmac>]` or a vault placeholder. */
export type Action = 'allow' | 'mask' | 'hash' | 'pseudonymize'

export interface TransformDeps {
  /** Needed for `pseudonymize`; the same vault must restore the answer. */
  vault?: PlaceholderVault
  /** Needed for `hash`; stable per tenant, so the same value hashes alike across requests. */
  hashKey?: Buffer
}

export interface TransformResult {
  text: string
  /** Transformed findings per entity type; allowed ones are not counted. Never values. */
  counts: Record<string, number>
}

const HASH_HEX_CHARS = 12

const hashOf = (key: Buffer, type: string, value: string): string =>
  createHmac('sha256', key)
    .update(type + ':' + value)
    .digest('hex')
    .slice(0, HASH_HEX_CHARS)

const replacementFor = (action: Exclude<Action, 'allow'>, f: Finding, value: string, deps: TransformDeps) => {
  const label = placeholderLabel(f.type)
  switch (action) {
    case 'mask':
      return `[${label}]`
    case 'hash':
      if (deps.hashKey === undefined) throw new Error('the hash action needs deps.hashKey (per tenant)')
      return `[${label}:${hashOf(deps.hashKey, f.type, value)}]`
    case 'pseudonymize':
      if (deps.vault === undefined) throw new Error('the pseudonymize action needs deps.vault (per request)')
      return deps.vault.placeholderFor(f.type, value)
  }
}

/**
 * Replaces each finding per the action chosen for it. Findings are offsets into `text`, sorted and
 * non-overlapping, as createDetector().scan returns them; anything else throws, since splicing
 * overlapping spans would leak or garble text.
 */
export const transformText = (
  text: string,
  findings: readonly Finding[],
  choose: (f: Finding) => Action,
  deps: TransformDeps = {},
): TransformResult => {
  const counts = new Map<string, number>()
  let out = ''
  let last = 0
  let previousEnd = 0
  for (const f of findings) {
    if (!(f.start >= previousEnd && f.end >= f.start && f.end <= text.length)) {
      throw new RangeError(`findings must be sorted, non-overlapping and within the text (at ${f.start})`)
    }
    previousEnd = f.end
    const action = choose(f)
    if (action === 'allow') continue
    const replacement = replacementFor(action, f, text.slice(f.start, f.end), deps)
    out += text.slice(last, f.start) + replacement
    last = f.end
    counts.set(f.type, (counts.get(f.type) ?? 0) + 1)
  }
  // fromEntries defines own properties, so a custom type named `__proto__` is counted, not swallowed.
  return { text: out + text.slice(last), counts: Object.fromEntries(counts) }
}
