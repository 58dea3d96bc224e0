import { readFileSync } from 'node:fs'
import { z } from 'zod'

/**
 * The pricing catalog shipped with Gatehouse (`catalog.json` beside this file; the build copies it
 * to `dist`). A model's `price` in the config wins over it; the catalog fills in the rest.
 */

const usdPerMTok = z.number().min(0)

const longContextSchema = z.strictObject({
  above_input_tokens: z.number().int().positive(),
  input: usdPerMTok,
  output: usdPerMTok,
  cached_input: usdPerMTok.optional(),
})

const entrySchema = z.strictObject({
  id: z.string().min(1),
  /** Other names the provider accepts for the same model at the same price. */
  aliases: z.array(z.string().min(1)).optional(),
  type: z.enum(['chat', 'embeddings']),
  input: usdPerMTok,
  output: usdPerMTok,
  cached_input: usdPerMTok.optional(),
  context_window: z.number().int().positive(),
  max_output_tokens: z.number().int().positive().optional(),
  long_context: longContextSchema.optional(),
  /** Where a figure is uncertain or differs by source. */
  note: z.string().optional(),
})

export const CATALOG_SECTIONS = ['openai', 'anthropic', 'gemini', 'mistral', 'bedrock'] as const
type CatalogSection = (typeof CATALOG_SECTIONS)[number]

const catalogSchema = z
  .strictObject({
    as_of: z.iso.date(),
    note: z.string().optional(),
    sources: z.array(z.strictObject({ provider: z.string().min(1), url: z.url() })).min(1),
    providers: z.strictObject({
      openai: z.array(entrySchema),
      anthropic: z.array(entrySchema),
      gemini: z.array(entrySchema),
      mistral: z.array(entrySchema),
      bedrock: z.array(entrySchema),
    }),
  })
  .superRefine((catalog, ctx) => {
    for (const section of CATALOG_SECTIONS) {
      const seen = new Set<string>()
      catalog.providers[section].forEach((entry, index) => {
        const path = ['providers', section, index]
        for (const name of [entry.id, ...(entry.aliases ?? [])]) {
          if (seen.has(name)) ctx.addIssue({ code: 'custom', path, message: `"${name}" is listed twice` })
          seen.add(name)
        }
        if (entry.cached_input !== undefined && entry.cached_input > entry.input) {
          ctx.addIssue({ code: 'custom', path, message: 'cached_input is above input' })
        }
        // Long prompts cost more, never less: cost stays monotonic in tokens.
        const long = entry.long_context
        const isCheaper =
          long !== undefined &&
          (long.input < entry.input ||
            long.output < entry.output ||
            (long.cached_input ?? long.input) < (entry.cached_input ?? entry.input))
        if (isCheaper) {
          ctx.addIssue({ code: 'custom', path, message: 'long_context rates are below the base rates' })
        }
      })
    }
  })

export type CatalogEntry = z.infer<typeof entrySchema>

export interface PricingCatalog {
  /** The day the figures were checked, `YYYY-MM-DD`. */
  readonly asOf: string
  readonly sources: readonly { readonly provider: string; readonly url: string }[]
  /** Per section, every id and alias to its entry. */
  readonly models: Readonly<Record<CatalogSection, Readonly<Record<string, CatalogEntry>>>>
}

/**
 * Validates and deep-freezes a catalog: the shipped `catalog.json` unless `raw` is given (tests).
 * Reads the file on each call, so call it once at startup and pass the result along.
 * Throws with one line per problem, each naming its path.
 */
export function loadCatalog(raw: unknown = readShippedCatalog()): PricingCatalog {
  const parsed = catalogSchema.safeParse(raw)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
    throw new Error(`pricing catalog is invalid:\n  ${problems.join('\n  ')}`)
  }
  const { as_of, sources, providers } = parsed.data
  const models = Object.fromEntries(
    CATALOG_SECTIONS.map((section) => [section, indexEntries(providers[section])]),
  ) as Record<CatalogSection, Record<string, CatalogEntry>>
  return deepFreeze({ asOf: as_of, sources, models })
}

function readShippedCatalog(): unknown {
  return JSON.parse(readFileSync(new URL('./catalog.json', import.meta.url), 'utf8'))
}

function indexEntries(entries: readonly CatalogEntry[]): Record<string, CatalogEntry> {
  // No prototype: an id such as "constructor" must not find Object's.
  const index: Record<string, CatalogEntry> = Object.create(null)
  for (const entry of entries) {
    for (const name of [entry.id, ...(entry.aliases ?? [])]) index[name] = entry
  }
  return index
}

/** Provider kinds with catalog prices; any other kind (e.g. `simulated`) has none. */
export type PricedProviderKind =
  | 'openai'
  | 'openai-compatible'
  | 'azure-openai'
  | 'anthropic'
  | 'mistral'
  | 'gemini'
  | 'bedrock'

const SECTION = {
  openai: 'openai',
  'openai-compatible': 'openai',
  'azure-openai': 'openai',
  anthropic: 'anthropic',
  mistral: 'mistral',
  gemini: 'gemini',
  bedrock: 'bedrock',
} as const satisfies Record<PricedProviderKind, CatalogSection>

/**
 * The catalog entry for a provider's model id, or undefined. Only exact names match, after
 * rewriting the id into the few forms the provider documents for the same model (a date-stamped
 * snapshot, a `-latest` alias, a Bedrock inference profile or ARN, Gemini's `models/` prefix); the
 * forms are tried most specific first, so a snapshot priced apart (`gpt-4o-2024-05-13`) keeps its
 * own price. Nothing is matched by prefix: `gpt-4o-mini-tts` is not `gpt-4o-mini`.
 */
export function lookupPrice(
  catalog: PricingCatalog,
  providerKind: string,
  modelId: string,
): CatalogEntry | undefined {
  if (!Object.hasOwn(SECTION, providerKind)) return undefined
  const kind = providerKind as PricedProviderKind
  const table = catalog.models[SECTION[kind]]
  for (const name of candidateNames(kind, modelId)) {
    const entry = table[name]
    if (entry !== undefined) return entry
  }
  return undefined
}

// OpenAI snapshots: `gpt-4o-mini-2024-07-18`. Older `-0613`-style suffixes are not stripped: those
// snapshots were priced apart from their alias.
const OPENAI_DATE = /-\d{4}-\d{2}-\d{2}$/
// Anthropic snapshots: `claude-3-5-sonnet-20241022`.
const ANTHROPIC_DATE = /-20\d{6}$/
// Gemini stable versions: `gemini-2.0-flash-001`. Previews (`-preview-05-20`) are priced apart.
const GEMINI_VERSION = /-\d{3}$/
const LATEST = /-latest$/
// https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
const BEDROCK_GEO_PREFIX = /^(?:us|us-gov|eu|apac|jp|au|ca|global)\./
const BEDROCK_ARN = /^arn:[^:]+:bedrock:[^:]*:[^:]*:(?:foundation-model|inference-profile)\/(.+)$/

function candidateNames(kind: PricedProviderKind, modelId: string): string[] {
  switch (kind) {
    case 'openai-compatible':
      // vLLM, Ollama and the like serve models under any name they are given: only an exact match
      // is evidence of what is behind it.
      return [modelId]
    case 'openai':
    case 'azure-openai':
      return withoutSuffix(modelId, [OPENAI_DATE])
    case 'anthropic':
      return withoutSuffix(modelId, [ANTHROPIC_DATE, LATEST])
    case 'gemini':
      return withoutSuffix(modelId.replace(/^models\//, ''), [GEMINI_VERSION, LATEST])
    case 'mistral':
      // Mistral reprices across dated versions (Large 2 at $2/$6, Large 3 at $0.50/$1.50), so a
      // version is never folded into another; `-latest` names are aliases in the catalog.
      return [modelId]
    case 'bedrock':
      return bedrockNames(modelId)
  }
}

function withoutSuffix(modelId: string, suffixes: readonly RegExp[]): string[] {
  const names = [modelId]
  for (const suffix of suffixes) {
    const stripped = modelId.replace(suffix, '')
    if (stripped !== modelId && stripped !== '') names.push(stripped)
  }
  return names
}

/**
 * A Bedrock foundation-model or inference-profile ARN stands for the id at its end; a cross-region
 * profile (`us.`, `eu.`, `global.` …) for the model id after its prefix. The prefixed id is tried
 * first: Claude 4.5 and later cost 10% less through `global.` than through a regional profile.
 */
function bedrockNames(modelId: string): string[] {
  const id = BEDROCK_ARN.exec(modelId)?.[1] ?? modelId
  const unprefixed = id.replace(BEDROCK_GEO_PREFIX, '')
  return unprefixed === id ? [id] : [id, unprefixed]
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)'
  return path.reduce<string>(
    (out, part) =>
      typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part),
    '',
  )
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const item of Object.values(value)) deepFreeze(item)
  }
  return value
}
