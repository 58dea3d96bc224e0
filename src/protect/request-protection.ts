import type { Sensitivity } from '../config/schema.js'
import type { ChatBody, EmbeddingsBody } from '../providers/types.js'
import { replaceTexts } from './collect-texts.js'
import type { Protector, RequestScan } from './create-protector.js'
import type { Decision, Destination } from './data-policy.js'
import { createPlaceholderVault, type PlaceholderVault } from './placeholder-vault.js'
import { transformText } from './pseudonymize-text.js'

export interface ProtectedBody<T> {
  body: T
  /** Entity type → how many values were masked, hashed or pseudonymized; empty when none. */
  redactions: Record<string, number>
}

/**
 * One request's protection state: what its scan found, the level it starts from, the vault of
 * its pseudonyms, and the transformed body for each destination trust level (made once, on the
 * first attempt that needs it; a fallback to a more trusted target gets the original).
 */
export class RequestProtection {
  #vault: PlaceholderVault | undefined
  readonly #bodies = new Map<string, ProtectedBody<ChatBody | EmbeddingsBody>>()
  readonly #decisions = new Map<string, Decision>()

  constructor(
    readonly scan: RequestScan,
    /** The caller's declaration raised to the tenant's floor: redaction never lowers it. */
    readonly base: Sensitivity | undefined,
    readonly protector: Protector,
    readonly tenant: string,
  ) {}

  /** The request's pseudonyms; undefined until a body for some destination needed one. */
  get vault(): PlaceholderVault | undefined {
    return this.#vault
  }

  /** The policy's decision for `to`; routing asks once per candidate, execute again per attempt. */
  decide(to: Destination): Decision {
    const key = `${to.trust}|${to.region ?? ''}`
    let decision = this.#decisions.get(key)
    if (decision === undefined) {
      decision = this.protector.policy.decide(to, this.base, this.scan.types)
      this.#decisions.set(key, decision)
    }
    return decision
  }

  /** The body as `to` may receive it. Throws when the policy refuses `to` (routing should not have chosen it). */
  bodyFor<T extends ChatBody | EmbeddingsBody>(body: T, to: Destination): ProtectedBody<T> {
    const key = `${to.trust}|${to.region ?? ''}`
    const cached = this.#bodies.get(key)
    if (cached) return cached as ProtectedBody<T>
    const decision = this.decide(to)
    if (!decision.ok) throw new Error(`data policy refuses a ${to.trust} destination for this request`)
    const made = this.#transform(body, decision.actions)
    this.#bodies.set(key, made)
    return made
  }

  #transform<T extends ChatBody | EmbeddingsBody>(
    body: T,
    actions: ReadonlyMap<string, string>,
  ): ProtectedBody<T> {
    const { slots, findings } = this.scan
    const redactions: Record<string, number> = {}
    if (![...actions.values()].some((a) => a !== 'allow')) return { body, redactions }
    let vault = this.#vault
    if (vault === undefined && [...actions.values()].includes('pseudonymize')) {
      vault = createPlaceholderVault()
      for (const slot of slots) vault.reserve(slot.text)
      this.#vault = vault
    }
    const hashKey = this.protector.hashKey(this.tenant)
    const texts = slots.map((slot, i) => {
      const list = findings[i]!
      if (list.length === 0) return slot.text
      const out = transformText(slot.text, list, (f) => (actions.get(f.type) ?? 'allow') as never, {
        ...(vault === undefined ? {} : { vault }),
        hashKey,
      })
      for (const [type, n] of Object.entries(out.counts)) redactions[type] = (redactions[type] ?? 0) + n
      return out.text
    })
    return { body: replaceTexts(body, slots, texts), redactions }
  }

  /** Normalised values of the personal data in the request, for the output check. */
  requestValues(normalise: (value: string) => string): Set<string> {
    const values = new Set<string>()
    this.scan.slots.forEach((slot, i) => {
      for (const f of this.scan.findings[i]!) values.add(normalise(slot.text.slice(f.start, f.end)))
    })
    return values
  }
}
