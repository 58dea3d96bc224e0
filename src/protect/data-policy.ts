import {
  type ActionSpec,
  DEFAULT_LEVELS,
  type ProtectAction,
  type ProtectConfig,
} from '../config/protect-schema.js'
import type { Sensitivity, TrustLevel } from '../config/schema.js'

/** Where a request may go: a provider's trust level and region. */
export interface Destination {
  trust: TrustLevel
  region?: string | undefined
}

/** The outcome for one destination: refused with a reason, or allowed with the action for each type. */
export type Decision =
  | { ok: true; actions: ReadonlyMap<string, ProtectAction>; level: Sensitivity | undefined }
  | { ok: false; reason: 'data_policy'; level: Sensitivity }
  | { ok: false; reason: 'blocked_entity'; type: string }

export interface DataPolicy {
  /** The sensitivity an entity type carries (`protect.levels`, else the default mapping). */
  levelOf(type: string): Sensitivity
  /** The highest level among the detected types, or undefined for none. */
  detectedLevel(types: Iterable<string>): Sensitivity | undefined
  actionFor(type: string, trust: TrustLevel): ProtectAction
  /**
   * Whether a request whose floor is `base` (the caller's declaration and the tenant's floor) and
   * which carries entities of `types` may go to `to`, and what must be done to each type first.
   * Entities that leave in clear (`allow`) count toward the level checked against the policy;
   * masked, hashed or pseudonymized ones do not, since their values never reach the provider.
   */
  decide(to: Destination, base: Sensitivity | undefined, types: ReadonlySet<string>): Decision
  /** A readable statement of where `level` may go, for error messages. */
  describe(level: Sensitivity): string
  /** Why a refused destination was refused: the policy, or the action that blocks a type there. */
  explain(decision: Exclude<Decision, { ok: true }>, to: Destination): string
}

const RANK: Record<Sensitivity, number> = { public: 0, internal: 1, confidential: 2, restricted: 3 }

export const higher = (a: Sensitivity | undefined, b: Sensitivity | undefined): Sensitivity | undefined =>
  a === undefined ? b : b === undefined ? a : RANK[a] >= RANK[b] ? a : b

/** `eu` admits `eu` and `eu-west-1`; a provider without a region is admitted only without a list. */
const regionAllowed = (regions: readonly string[] | undefined, region: string | undefined): boolean =>
  regions === undefined ||
  (region !== undefined && regions.some((r) => region === r || region.startsWith(`${r}-`)))

export function createDataPolicy(config: ProtectConfig): DataPolicy {
  const levels: Record<string, Sensitivity> = { ...DEFAULT_LEVELS, ...config.levels }
  const levelOf = (type: string): Sensitivity => levels[type] ?? 'confidential'
  const actionFor = (type: string, trust: TrustLevel): ProtectAction => {
    const spec = (config.actions as Record<string, ActionSpec | undefined>)[type]
    const own = typeof spec === 'string' ? spec : spec?.[trust]
    if (own !== undefined) return own
    const fallback = config.actions.default
    return (typeof fallback === 'string' ? fallback : fallback?.[trust]) ?? 'allow'
  }
  const allows = (level: Sensitivity, to: Destination): boolean => {
    const rule = config.policy[level]
    return rule.trust.includes(to.trust) && regionAllowed(rule.regions, to.region)
  }
  const describe = (level: Sensitivity): string => {
    const rule = config.policy[level]
    const where = rule.regions ? ` in region ${rule.regions.join(' or ')}` : ''
    return `protect.policy.${level} allows ${rule.trust.join(', ')} providers${where}`
  }
  return {
    levelOf,
    actionFor,
    detectedLevel(types) {
      let level: Sensitivity | undefined
      for (const type of types) level = higher(level, levelOf(type))
      return level
    },
    decide(to, base, types) {
      const actions = new Map<string, ProtectAction>()
      let level = base
      for (const type of types) {
        const action = actionFor(type, to.trust)
        if (action === 'block') return { ok: false, reason: 'blocked_entity', type }
        if (action === 'allow') level = higher(level, levelOf(type))
        actions.set(type, action)
      }
      // No level at all is public data.
      if (!allows(level ?? 'public', to))
        return { ok: false, reason: 'data_policy', level: level ?? 'public' }
      return { ok: true, actions, level }
    },
    describe,
    explain: (decision, to) =>
      decision.reason === 'blocked_entity'
        ? `protect.actions.${decision.type} blocks ${decision.type} for ${to.trust} providers`
        : describe(decision.level),
  }
}

/** Whether `level` is above `max`. */
export const exceeds = (level: Sensitivity | undefined, max: Sensitivity | undefined): boolean =>
  level !== undefined && max !== undefined && RANK[level] > RANK[max]
