import { describe, expect, it } from 'vitest'
import shipped from './catalog.json' with { type: 'json' }
import { CATALOG_SECTIONS, type CatalogEntry, loadCatalog, lookupPrice } from './pricing-catalog.js'

const catalog = loadCatalog()

function entries(): [string, CatalogEntry][] {
  return CATALOG_SECTIONS.flatMap((section) =>
    Object.values(catalog.models[section]).map((entry): [string, CatalogEntry] => [section, entry]),
  )
}

describe('the shipped catalog', () => {
  it('validates, with a past as_of date and its sources', () => {
    expect(catalog.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(Date.parse(`${catalog.asOf}T00:00:00Z`)).toBeLessThanOrEqual(Date.now())
    expect(catalog.sources.length).toBeGreaterThan(0)
  })

  it('prices every entry at or above zero and gives it a context window', () => {
    const all = entries()
    expect(all.length).toBeGreaterThanOrEqual(60)
    for (const [section, entry] of all) {
      const where = `${section}/${entry.id}`
      expect(entry.input, where).toBeGreaterThanOrEqual(0)
      expect(entry.output, where).toBeGreaterThanOrEqual(0)
      expect(entry.context_window, where).toBeGreaterThan(0)
      if (entry.cached_input !== undefined) expect(entry.cached_input, where).toBeLessThanOrEqual(entry.input)
      if (entry.type === 'embeddings') expect(entry.output, where).toBe(0)
    }
  })

  it('covers the common models of every provider', () => {
    for (const section of CATALOG_SECTIONS) {
      expect(Object.keys(catalog.models[section]).length, section).toBeGreaterThan(5)
    }
  })

  it('is deep-frozen', () => {
    const entry = lookupPrice(catalog, 'openai', 'gpt-4o')!
    expect(Object.isFrozen(catalog.models.openai)).toBe(true)
    expect(() => {
      ;(entry as { input: number }).input = 0
    }).toThrow(TypeError)
  })
})

describe('loadCatalog', () => {
  const copy = (): any => structuredClone(shipped)

  it('names the path of each problem', () => {
    const bad = copy()
    bad.providers.openai[0].input = -1
    bad.providers.gemini[0].context_window = 0
    bad.as_of = '29/11/2026'
    expect(() => loadCatalog(bad)).toThrow(
      /as_of: .*\n.*providers\.openai\[0\]\.input: .*\n.*providers\.gemini\[0\]\.context_window/,
    )
  })

  it('rejects unknown keys, a name listed twice and cheaper long-context rates', () => {
    const typo = copy()
    typo.providers.openai[0].cache_input = 1
    expect(() => loadCatalog(typo)).toThrow(/providers\.openai\[0\]: Unrecognized key/)

    const twice = copy()
    twice.providers.mistral.push({
      ...twice.providers.mistral[0],
      id: 'other',
      aliases: ['mistral-large-latest'],
    })
    expect(() => loadCatalog(twice)).toThrow(/"mistral-large-latest" is listed twice/)

    const cheaper = copy()
    cheaper.providers.gemini[0].long_context.input = 0.5
    expect(() => loadCatalog(cheaper)).toThrow(/long_context rates are below the base rates/)
  })
})

describe('lookupPrice', () => {
  const id = (kind: string, model: string) => lookupPrice(catalog, kind, model)?.id

  it('finds exact ids', () => {
    expect(id('openai', 'gpt-4o-mini')).toBe('gpt-4o-mini')
    expect(id('anthropic', 'claude-sonnet-4-5')).toBe('claude-sonnet-4-5')
    expect(id('mistral', 'mistral-embed')).toBe('mistral-embed')
    expect(id('bedrock', 'amazon.nova-pro-v1:0')).toBe('amazon.nova-pro-v1:0')
    expect(id('bedrock', 'amazon.titan-embed-text-v2:0')).toBe('amazon.titan-embed-text-v2:0')
    expect(id('bedrock', 'cohere.embed-english-v3')).toBe('cohere.embed-english-v3')
  })

  it('folds dated snapshots into their family', () => {
    expect(id('openai', 'gpt-4o-mini-2024-07-18')).toBe('gpt-4o-mini')
    expect(id('openai', 'o3-2025-04-16')).toBe('o3')
    expect(id('azure-openai', 'gpt-4.1-2025-04-14')).toBe('gpt-4.1')
    expect(id('anthropic', 'claude-3-5-sonnet-20241022')).toBe('claude-3-5-sonnet')
    expect(id('anthropic', 'claude-sonnet-4-20250514')).toBe('claude-sonnet-4')
    expect(id('anthropic', 'claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5')
    expect(id('anthropic', 'claude-opus-4-1-20250805')).toBe('claude-opus-4-1')
    expect(id('gemini', 'gemini-2.0-flash-001')).toBe('gemini-2.0-flash')
  })

  it('keeps a snapshot priced apart from its family', () => {
    const launch = lookupPrice(catalog, 'openai', 'gpt-4o-2024-05-13')
    expect(launch?.input).toBe(5)
    expect(lookupPrice(catalog, 'openai', 'gpt-4o-2024-08-06')?.input).toBe(2.5)
  })

  it('resolves -latest names and aliases', () => {
    expect(id('anthropic', 'claude-3-7-sonnet-latest')).toBe('claude-3-7-sonnet')
    expect(id('anthropic', 'claude-sonnet-4-0')).toBe('claude-sonnet-4')
    expect(id('mistral', 'mistral-large-latest')).toBe('mistral-large-2512')
    expect(id('mistral', 'codestral-latest')).toBe('codestral-2508')
  })

  it('strips Gemini models/ prefixes', () => {
    expect(id('gemini', 'models/gemini-2.5-flash')).toBe('gemini-2.5-flash')
    expect(id('gemini', 'models/gemini-embedding-001')).toBe('gemini-embedding-001')
  })

  it('reads Bedrock inference profiles and ARNs', () => {
    const sonnet = 'anthropic.claude-3-5-sonnet-20240620-v1:0'
    for (const prefix of ['us.', 'eu.', 'apac.', 'global.'])
      expect(id('bedrock', prefix + sonnet)).toBe(sonnet)
    expect(id('bedrock', `arn:aws:bedrock:us-east-1::foundation-model/${sonnet}`)).toBe(sonnet)
    expect(id('bedrock', `arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.${sonnet}`)).toBe(
      sonnet,
    )
  })

  it('prices a global Bedrock profile apart where AWS charges regional ones more', () => {
    const model = 'anthropic.claude-sonnet-4-5-20250929-v1:0'
    expect(lookupPrice(catalog, 'bedrock', `global.${model}`)?.input).toBe(3)
    expect(lookupPrice(catalog, 'bedrock', `us.${model}`)?.input).toBe(3.3)
    expect(lookupPrice(catalog, 'bedrock', model)?.input).toBe(3.3)
  })

  it('never guesses', () => {
    // A different product sharing a prefix.
    expect(id('openai', 'gpt-4o-mini-tts')).toBeUndefined()
    expect(id('openai', 'gpt-4o-mini-tts-2025-03-20')).toBeUndefined()
    expect(id('openai', 'gpt-4o-realtime-preview-2024-12-17')).toBeUndefined()
    expect(id('openai', 'gpt-4o-mini-search-preview')).toBeUndefined()
    // Not a date: a different model.
    expect(id('openai', 'gpt-4.1-mini-2')).toBeUndefined()
    // OpenAI's -latest names are separate, dearer models.
    expect(id('openai', 'chatgpt-4o-latest')).toBeUndefined()
    // Previews are priced apart from the stable model.
    expect(id('gemini', 'gemini-2.5-flash-preview-05-20')).toBeUndefined()
    // Mistral reprices across versions: an unknown one has no price.
    expect(id('mistral', 'mistral-large-2607')).toBeUndefined()
    expect(id('mistral', 'mistral-large')).toBeUndefined()
    // An application inference profile says nothing about its model.
    expect(
      id('bedrock', 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123'),
    ).toBeUndefined()
    expect(id('bedrock', 'xx.amazon.nova-pro-v1:0')).toBeUndefined()
    expect(id('anthropic', 'claude-9')).toBeUndefined()
    expect(id('anthropic', 'constructor')).toBeUndefined()
    expect(id('openai', '')).toBeUndefined()
  })

  it('matches only exact names for openai-compatible servers', () => {
    expect(id('openai-compatible', 'gpt-4o-mini')).toBe('gpt-4o-mini')
    expect(id('openai-compatible', 'gpt-4o-mini-2024-07-18')).toBeUndefined()
    expect(id('openai-compatible', 'meta-llama/Llama-3.3-70B-Instruct')).toBeUndefined()
  })

  it('keeps providers apart, and knows no price for other kinds', () => {
    expect(id('openai', 'claude-3-5-sonnet')).toBeUndefined()
    expect(id('bedrock', 'claude-3-5-sonnet')).toBeUndefined()
    expect(id('simulated', 'gpt-4o')).toBeUndefined()
    expect(id('toString', 'gpt-4o')).toBeUndefined()
  })
})
