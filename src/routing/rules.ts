import { type RuleConfig, SENSITIVITIES, type Sensitivity } from '../config/schema.js'

/** What a rule can look at. Fields other stages fill later (tenant, sensitivity) are optional. */
export interface RuleFacts {
  model: string
  sensitivity?: Sensitivity | undefined
  domain?: string | undefined
  useCase?: string | undefined
  tenant?: string | undefined
  user?: string | undefined
  latency?: string | undefined
  metadata: Readonly<Record<string, string>>
  /** Counted only if a rule asks (tokenizing costs CPU). */
  inputTokens(): Promise<number>
}

export interface CompiledRule {
  name: string
  /** The action: a route or a model to use instead of the requested name. */
  target: string
  matches(facts: RuleFacts): Promise<boolean>
}

type When = RuleConfig['when']
type Check = (facts: RuleFacts) => boolean
type AsyncCheck = (facts: RuleFacts) => Promise<boolean>

/**
 * One compiler per condition key. A new condition (say, one a later stage enables) is one entry
 * here and one key in the schema; `satisfies` keeps the two in step.
 */
const CONDITIONS = {
  model: (v) => anyOf(v, (f) => f.model, true),
  sensitivity: (v) => anyOf(v, (f) => f.sensitivity),
  min_sensitivity: (v) => {
    const floor = SENSITIVITIES.indexOf(v as Sensitivity)
    return (f) => f.sensitivity !== undefined && SENSITIVITIES.indexOf(f.sensitivity) >= floor
  },
  domain: (v) => anyOf(v, (f) => f.domain),
  use_case: (v) => anyOf(v, (f) => f.useCase),
  tenant: (v) => anyOf(v, (f) => f.tenant),
  user: (v) => anyOf(v, (f) => f.user),
  latency: (v) => anyOf(v, (f) => f.latency),
  metadata: (v) => {
    const checks = Object.entries(v as Record<string, string | string[]>).map(([key, values]) =>
      anyOf(values, (f) => f.metadata[key]),
    )
    return (f) => checks.every((check) => check(f))
  },
  input_tokens: (v) => {
    const { gt, gte, lt, lte } = v as NonNullable<When['input_tokens']>
    return async (f) => {
      const n = await f.inputTokens()
      return (
        (gt === undefined || n > gt) &&
        (gte === undefined || n >= gte) &&
        (lt === undefined || n < lt) &&
        (lte === undefined || n <= lte)
      )
    }
  },
} satisfies Record<keyof When, (value: unknown) => Check | AsyncCheck>

const ASYNC: ReadonlySet<keyof When> = new Set(['input_tokens'])

export function compileRules(rules: readonly RuleConfig[]): CompiledRule[] {
  return rules.map((rule) => {
    const keys = Object.keys(rule.when).filter((k) => rule.when[k as keyof When] !== undefined) as Array<
      keyof When
    >
    const compile = (key: keyof When) =>
      (CONDITIONS[key] as (value: unknown) => Check | AsyncCheck)(rule.when[key])
    const sync = keys.filter((k) => !ASYNC.has(k)).map((k) => compile(k) as Check)
    const slow = keys.filter((k) => ASYNC.has(k)).map((k) => compile(k) as AsyncCheck)
    return {
      name: rule.name,
      target: (rule.route ?? rule.model)!,
      async matches(facts) {
        // Cheap checks first: most rules are decided without counting tokens.
        if (!sync.every((check) => check(facts))) return false
        for (const check of slow) if (!(await check(facts))) return false
        return true
      },
    }
  })
}

export async function firstMatch(
  rules: readonly CompiledRule[],
  facts: RuleFacts,
): Promise<CompiledRule | undefined> {
  for (const rule of rules) if (await rule.matches(facts)) return rule
  return undefined
}

/** A value or list of values; with `glob`, `*` matches any run of characters (`gpt-4o*`). */
function anyOf(values: unknown, read: (facts: RuleFacts) => string | undefined, glob = false): Check {
  const list = (Array.isArray(values) ? values : [values]) as string[]
  if (glob && list.some((v) => v.includes('*'))) {
    const patterns = list.map((v) => new RegExp(`^${v.split('*').map(escapeRegExp).join('.*')}$`))
    return (f) => {
      const value = read(f)
      return value !== undefined && patterns.some((p) => p.test(value))
    }
  }
  const set = new Set(list)
  return (f) => {
    const value = read(f)
    return value !== undefined && set.has(value)
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
