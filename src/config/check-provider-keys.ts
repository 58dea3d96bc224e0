// biome-ignore-all lint/suspicious/noTemplateCurlyInString: hints show config text with ${VAR} references
import type { ProviderConfig } from './schema.js'

/** Keys that belong to one kind, and the credential each kind needs. */
export function checkProviderKeys(where: string, p: ProviderConfig, errors: string[]): void {
  const only = (key: keyof ProviderConfig, kind: string) => {
    if (p[key] !== undefined && p.kind !== kind) errors.push(`${where}.${key}: only for kind ${kind}`)
  }
  only('api_version', 'azure-openai')
  only('azure_ad_token', 'azure-openai')
  only('vertex', 'gemini')
  only('access_token', 'gemini')
  if (p.kind === 'azure-openai') {
    if (p.base_url === undefined) {
      errors.push(
        `${where}.base_url: required for kind azure-openai (e.g. https://my-resource.openai.azure.com)`,
      )
    }
    if ((p.api_key === undefined) === (p.azure_ad_token === undefined)) {
      errors.push(
        `${where}.api_key: give exactly one of api_key (sent as api-key) or azure_ad_token (an Entra ID bearer token)`,
      )
    }
  }
  if (p.kind === 'mistral' && p.api_key === undefined) {
    errors.push(`${where}.api_key: required for kind mistral (e.g. api_key: \${MISTRAL_API_KEY})`)
  }
  if (p.kind === 'gemini' && p.vertex === undefined && p.api_key === undefined) {
    errors.push(
      `${where}.api_key: required for kind gemini (e.g. api_key: \${GEMINI_API_KEY}), or set vertex and access_token for Vertex AI`,
    )
  }
  if (p.kind === 'gemini' && p.vertex !== undefined) {
    if (p.access_token === undefined) {
      errors.push(`${where}.access_token: required with vertex (e.g. access_token: \${VERTEX_ACCESS_TOKEN})`)
    }
    if (p.api_key !== undefined) {
      errors.push(`${where}.api_key: not used with vertex; authenticate with access_token`)
    }
  }
}
