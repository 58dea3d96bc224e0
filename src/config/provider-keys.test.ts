// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text with ${VAR} references
import { describe, expect, it } from 'vitest'
import { type LoadResult, parseConfig } from './load.js'

/** Keys and credentials of the azure-openai, mistral and gemini kinds, checked by load.ts. */

const errorsOf = (result: LoadResult): string[] => (result.ok ? [] : result.errors)
const provider = (yaml: string) => parseConfig(`providers:\n  p: ${yaml}\n`, { KEY: 'k-123', TOKEN: 't-456' })

describe('parseConfig: cloud provider kinds', () => {
  it('resolves defaults: Azure api_version, Mistral and Gemini base URLs, Vertex regional endpoint', () => {
    const azure = provider(
      '{ kind: azure-openai, base_url: "https://acme.openai.azure.com/", api_key: "${KEY}" }',
    )
    expect(azure.ok && azure.config.providers['p']).toMatchObject({
      base_url: 'https://acme.openai.azure.com',
      api_version: '2024-10-21',
      trust: 'external',
    })
    const mistral = provider('{ kind: mistral, api_key: "${KEY}" }')
    expect(mistral.ok && mistral.config.providers['p']!.base_url).toBe('https://api.mistral.ai/v1')
    const gemini = provider('{ kind: gemini, api_key: "${KEY}" }')
    expect(gemini.ok && gemini.config.providers['p']!.base_url).toBe(
      'https://generativelanguage.googleapis.com/v1beta',
    )
    const vertex = provider(
      '{ kind: gemini, vertex: { project: acme-prod-1, location: europe-west4 }, access_token: "${TOKEN}" }',
    )
    expect(vertex.ok && vertex.config.providers['p']!.base_url).toBe(
      'https://europe-west4-aiplatform.googleapis.com/v1',
    )
    const global = provider(
      '{ kind: gemini, vertex: { project: acme-prod-1, location: global }, access_token: "${TOKEN}" }',
    )
    expect(global.ok && global.config.providers['p']!.base_url).toBe('https://aiplatform.googleapis.com/v1')
  })

  it('names the missing credential and the key path', () => {
    expect(errorsOf(provider('{ kind: azure-openai, base_url: "https://a.openai.azure.com" }'))).toEqual([
      'providers.p.api_key: give exactly one of api_key (sent as api-key) or azure_ad_token (an Entra ID bearer token)',
    ])
    expect(
      errorsOf(
        provider(
          '{ kind: azure-openai, base_url: "https://a.openai.azure.com", api_key: x, azure_ad_token: y }',
        ),
      ),
    ).toHaveLength(1)
    expect(errorsOf(provider('{ kind: azure-openai, api_key: x }'))).toEqual([
      'providers.p.base_url: required for kind azure-openai (e.g. https://my-resource.openai.azure.com)',
    ])
    expect(errorsOf(provider('{ kind: mistral }'))).toEqual([
      'providers.p.api_key: required for kind mistral (e.g. api_key: ${MISTRAL_API_KEY})',
    ])
    expect(errorsOf(provider('{ kind: gemini }'))[0]).toMatch(
      /^providers\.p\.api_key: required for kind gemini/,
    )
    expect(
      errorsOf(provider('{ kind: gemini, vertex: { project: acme-prod-1, location: us-central1 } }')),
    ).toEqual(['providers.p.access_token: required with vertex (e.g. access_token: ${VERTEX_ACCESS_TOKEN})'])
  })

  it('refuses keys of another kind and malformed values', () => {
    expect(
      errorsOf(
        provider(
          '{ kind: mistral, api_key: x, api_version: v1, vertex: { project: acme-prod-1, location: eu } }',
        ),
      ),
    ).toEqual([
      'providers.p.api_version: only for kind azure-openai',
      'providers.p.vertex: only for kind gemini',
    ])
    expect(
      errorsOf(
        provider(
          '{ kind: azure-openai, base_url: "https://a.openai.azure.com", api_key: x, api_version: latest }',
        ),
      ),
    ).toEqual(['providers.p.api_version: expected v1 or a date like 2024-10-21 (-preview)'])
  })

  it('keeps the tokens secret', () => {
    const result = provider(
      '{ kind: gemini, vertex: { project: acme-prod-1, location: global }, access_token: "${TOKEN}" }',
    )
    expect(JSON.stringify(result)).not.toContain('t-456')
  })
})
