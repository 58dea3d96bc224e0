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
  if (p.kind === 'bedrock') checkBedrock(where, p, errors)
  else if (p.aws_access_key_id ?? p.aws_secret_access_key ?? p.aws_session_token) {
    errors.push(`${where}: aws_* keys are only used by kind bedrock (this provider is ${p.kind})`)
  }
  checkAnthropicKeys(where, p, errors)
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

/** Bedrock signs with an AWS region and either SigV4 keys or a Bedrock API key, never both. */
function checkBedrock(where: string, p: ProviderConfig, errors: string[]): void {
  if (p.region === undefined || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(p.region)) {
    const problem =
      p.region === undefined ? 'required for kind bedrock' : `"${p.region}" is not an AWS region`
    errors.push(`${where}.region: ${problem}: the AWS region to call (e.g. us-east-1, eu-central-1)`)
  }
  const keys = p.aws_access_key_id !== undefined || p.aws_secret_access_key !== undefined
  if (keys && (p.aws_access_key_id === undefined || p.aws_secret_access_key === undefined)) {
    const missing = p.aws_access_key_id === undefined ? 'aws_access_key_id' : 'aws_secret_access_key'
    errors.push(
      `${where}.${missing}: required with the other AWS key (e.g. ${missing}: \${${missing.toUpperCase()}})`,
    )
  }
  if (p.aws_session_token !== undefined && !keys) {
    errors.push(`${where}.aws_session_token: only used with aws_access_key_id and aws_secret_access_key`)
  }
  if (keys && p.api_key !== undefined) {
    errors.push(`${where}.api_key: give either a Bedrock API key (api_key) or AWS keys, not both`)
  }
  if (!keys && p.api_key === undefined) {
    errors.push(
      `${where}: kind bedrock needs credentials: aws_access_key_id and aws_secret_access_key ` +
        '(e.g. ${AWS_ACCESS_KEY_ID} and ${AWS_SECRET_ACCESS_KEY}), or a Bedrock API key as api_key',
    )
  }
}

function checkAnthropicKeys(where: string, p: ProviderConfig, errors: string[]): void {
  if (p.kind === 'anthropic' && p.api_key === undefined) {
    errors.push(`${where}.api_key: required for kind anthropic (e.g. api_key: \${ANTHROPIC_API_KEY})`)
  }
  if (p.kind !== 'anthropic' && p.anthropic_version !== undefined) {
    errors.push(`${where}.anthropic_version: only for kind anthropic (remove it, or set kind: anthropic)`)
  }
}
