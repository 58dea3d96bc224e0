import { readFile } from 'node:fs/promises'
import { parseDocument } from 'yaml'
import type { z } from 'zod'
import type { Price } from '../pricing/cost.js'
import { loadCatalog, lookupPrice, type PricingCatalog } from '../pricing/pricing-catalog.js'
import { checkAccess } from './check-access.js'
import { checkProviderKeys } from './check-provider-keys.js'
import {
  type Config,
  configSchema,
  type ModelConfig,
  type ProviderConfig,
  type RouteConfig,
  type TrustLevel,
} from './schema.js'

export interface ResolvedProvider extends ProviderConfig {
  name: string
  trust: TrustLevel
}

export interface ResolvedModel extends Omit<ModelConfig, 'price'> {
  name: string
  /** The provider's model id. */
  model: string
  /** From `models.<name>.price`, else the pricing catalog; undefined: unpriced. */
  price?: Price | undefined
  price_source?: 'config' | 'catalog' | undefined
}

export interface RouteTarget {
  /** A model or another route. */
  target: string
  weight: number
}

export interface ResolvedRoute extends Omit<RouteConfig, 'targets'> {
  name: string
  targets: RouteTarget[]
}

export interface ResolvedConfig extends Omit<Config, 'providers' | 'models' | 'routes'> {
  providers: Readonly<Record<string, ResolvedProvider>>
  models: Readonly<Record<string, ResolvedModel>>
  routes: Readonly<Record<string, ResolvedRoute>>
}

export type LoadResult = { ok: true; config: ResolvedConfig } | { ok: false; errors: string[] }

const DEFAULT_BASE_URL: Partial<Record<ProviderConfig['kind'], string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  mistral: 'https://api.mistral.ai/v1',
  gemini: 'https://generativelanguage.googleapis.com/v1beta',
}

/** Azure OpenAI's latest GA data-plane version when this was written (learn.microsoft.com, API lifecycle). */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21'

const DEFAULT_TRUST: Record<ProviderConfig['kind'], TrustLevel> = {
  openai: 'external',
  // An unknown OpenAI-compatible server could be anywhere: trust must be raised on purpose.
  'openai-compatible': 'external',
  anthropic: 'external',
  'azure-openai': 'external',
  mistral: 'external',
  gemini: 'external',
  simulated: 'onprem',
  bedrock: 'external',
}

export async function loadConfigFile(
  path: string,
  env: NodeJS.ProcessEnv,
  catalog?: PricingCatalog,
): Promise<LoadResult> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code)
    return { ok: false, errors: [`${path}: cannot read config file (${reason})`] }
  }
  return parseConfig(text, env, catalog)
}

/** Parse, substitute `${VAR}`, validate and resolve a config; every error names its key path. */
export function parseConfig(
  text: string,
  env: NodeJS.ProcessEnv,
  catalog: PricingCatalog = loadCatalog(),
): LoadResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => `YAML syntax: ${e.message.split('\n')[0]}`) }
  }
  let raw: unknown
  try {
    // Resolving aliases can still fail (an undefined alias, or too many of them: a "billion
    // laughs" document); yaml throws for those instead of listing them in `doc.errors`.
    raw = doc.toJS() ?? {}
  } catch (err) {
    // Only the text before the colon: after it yaml names the alias, which could be a pasted key.
    return { ok: false, errors: [`YAML: ${(err as Error).message.split(/[:\n]/)[0]}`] }
  }
  const errors: string[] = []
  const substituted = substituteEnv(raw, [], env, errors)
  if (errors.length > 0) return { ok: false, errors }

  // zod 4 leaves `input` out of issues unless asked; without it a wrong type reads as "required".
  const parsed = configSchema.safeParse(substituted, { reportInput: true })
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map(formatIssue) }

  const resolved = resolve(parsed.data, errors, catalog)
  if (errors.length > 0) return { ok: false, errors }
  return { ok: true, config: deepFreeze(resolved) }
}

const ENV_REF = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

/**
 * `${VAR}` and `${VAR:-default}` in string values (not in keys, and never spliced into the YAML
 * text, so a value cannot change the document's structure). `$${` is a literal `${`.
 */
function substituteEnv(value: unknown, path: string[], env: NodeJS.ProcessEnv, errors: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (match, varName: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${'
      const found = env[varName!]
      // As in the shell: `:-` replaces an unset or empty variable; a bare `${VAR}` may be empty.
      if (found !== undefined && (found !== '' || fallback === undefined)) return found
      if (fallback !== undefined) return fallback
      errors.push(
        `${formatPath(path)}: environment variable ${varName} is not set ` +
          `(hint: export ${varName}=..., or write \${${varName}:-default} for a default)`,
      )
      return ''
    })
  }
  if (Array.isArray(value))
    return value.map((item, i) => substituteEnv(item, [...path, String(i)], env, errors))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value))
      out[key] = substituteEnv(item, [...path, key], env, errors)
    return out
  }
  return value
}

function resolve(config: Config, errors: string[], catalog: PricingCatalog): ResolvedConfig {
  const providers: Record<string, ResolvedProvider> = {}
  for (const [name, p] of Object.entries(config.providers)) {
    const baseUrl = p.base_url ?? defaultBaseUrl(p)
    if (p.kind === 'openai-compatible' && baseUrl === undefined) {
      errors.push(
        `providers.${name}.base_url: required for kind openai-compatible (e.g. http://gpu01:8000/v1)`,
      )
    }
    checkProviderKeys(`providers.${name}`, p, errors)
    providers[name] = {
      ...p,
      ...(p.kind === 'anthropic' ? { anthropic_version: p.anthropic_version ?? '2023-06-01' } : {}),
      name,
      trust: p.trust ?? DEFAULT_TRUST[p.kind],
      ...(baseUrl === undefined ? {} : { base_url: baseUrl.replace(/\/+$/, '') }),
      ...(p.kind === 'azure-openai' ? { api_version: p.api_version ?? AZURE_DEFAULT_API_VERSION } : {}),
    }
  }

  const models: Record<string, ResolvedModel> = {}
  const providerNames = Object.keys(config.providers)
  for (const [name, m] of Object.entries(config.models)) {
    if (!(m.provider in config.providers)) {
      errors.push(`models.${name}.provider: unknown provider "${m.provider}" (known: ${list(providerNames)})`)
    }
    const model = m.model ?? name
    const kind = config.providers[m.provider]?.kind ?? ''
    // The catalog fills what the config leaves out; a config price always wins.
    const entry = m.price && m.context_window ? undefined : lookupPrice(catalog, kind, model)
    const price = m.price ?? entry
    const contextWindow = m.context_window ?? entry?.context_window
    models[name] = {
      ...m,
      name,
      model,
      ...(price
        ? {
            price: {
              input: price.input,
              output: price.output,
              ...(price.cached_input === undefined ? {} : { cached_input: price.cached_input }),
              ...('long_context' in price && price.long_context ? { long_context: price.long_context } : {}),
            },
            price_source: m.price ? 'config' : 'catalog',
          }
        : {}),
      ...(contextWindow === undefined ? {} : { context_window: contextWindow }),
    }
  }

  const routes: Record<string, ResolvedRoute> = {}
  const targetNames = [...Object.keys(config.models), ...Object.keys(config.routes)]
  const unknown = (where: string, target: string) =>
    errors.push(`${where}: unknown model "${target}" (known: ${list(targetNames)})`)
  for (const [name, r] of Object.entries(config.routes)) {
    if (name in config.models) {
      errors.push(`routes.${name}: the name is already a model; a route needs a name of its own`)
    }
    const targets = r.targets.map((t) => (typeof t === 'string' ? { target: t, weight: 1 } : t))
    targets.forEach(({ target }, i) => {
      if (!(target in config.models) && !(target in config.routes))
        unknown(`routes.${name}.targets[${i}]`, target)
    })
    routes[name] = { ...r, name, targets }
  }
  for (const cycle of findCycles(routes)) {
    errors.push(`routes.${cycle[0]}.targets: routes refer to each other in a loop (${cycle.join(' -> ')})`)
  }
  config.rules.forEach((rule, i) => {
    const where = `rules[${i}]`
    if ((rule.route === undefined) === (rule.model === undefined)) {
      errors.push(`${where}: give exactly one of "route" or "model" as the rule's action`)
    }
    if (rule.route !== undefined && !(rule.route in config.routes)) {
      errors.push(
        `${where}.route: unknown route "${rule.route}" (known: ${list(Object.keys(config.routes))})`,
      )
    }
    if (rule.model !== undefined && !(rule.model in config.models)) {
      errors.push(
        `${where}.model: unknown model "${rule.model}" (known: ${list(Object.keys(config.models))})`,
      )
    }
  })
  checkAccess(config, errors)
  const guardModel = config.protect.guardrails.guard_model?.model
  if (guardModel !== undefined && !(guardModel in config.models)) {
    errors.push(
      `protect.guardrails.guard_model.model: unknown model "${guardModel}" (known: ${list(Object.keys(config.models))})`,
    )
  }
  return { ...config, providers, models, routes }
}

/** Vertex AI's regional endpoint; `global` has none (cloud.google.com/vertex-ai/docs/general/locations). */
function defaultBaseUrl(p: ProviderConfig): string | undefined {
  if (p.kind !== 'gemini' || !p.vertex) return DEFAULT_BASE_URL[p.kind]
  const host = p.vertex.location === 'global' ? '' : `${p.vertex.location}-`
  return `https://${host}aiplatform.googleapis.com/v1`
}

function findCycles(routes: Record<string, ResolvedRoute>): string[][] {
  const cycles: string[][] = []
  const done = new Set<string>()
  const visit = (name: string, stack: string[]): void => {
    if (stack.includes(name)) {
      cycles.push([...stack.slice(stack.indexOf(name)), name])
      return
    }
    if (done.has(name)) return
    for (const { target } of routes[name]?.targets ?? []) {
      if (target in routes) visit(target, [...stack, name])
    }
    done.add(name)
  }
  for (const name of Object.keys(routes)) visit(name, [])
  return cycles
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path.map(String))
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling against the config reference in the README)`
    case 'invalid_key':
      // zod's own message ("Invalid key in record") hides why: the nested issues say it.
      return `${where}: invalid name (${issue.issues.map((i) => i.message).join('; ')})`
    case 'invalid_value':
      return `${where}: expected one of ${issue.values.map((v) => String(v)).join(', ')}`
    case 'invalid_type':
      return issue.input === undefined
        ? `${where}: required (expected ${issue.expected})`
        : `${where}: expected ${issue.expected}, got ${describe(issue.input)}`
    default:
      return `${where}: ${issue.message}`
  }
}

/** The type of a wrong value, never the value itself: it may be a secret. */
function describe(input: unknown): string {
  if (input === null) return 'null'
  if (Array.isArray(input)) return 'a list'
  return typeof input === 'object' ? 'a mapping' : `a ${typeof input}`
}

function formatPath(path: readonly string[]): string {
  if (path.length === 0) return '(top level)'
  return path.reduce(
    (out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out ? `${out}.${part}` : part),
    '',
  )
}

function list(names: string[]): string {
  return names.length === 0 ? 'none defined' : names.join(', ')
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const item of Object.values(value)) deepFreeze(item)
  }
  return value
}
