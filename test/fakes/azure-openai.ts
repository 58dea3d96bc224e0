import { readFileSync } from 'node:fs'
import { completion, type FakeOpenAI, json, type RecordedCall, type Step, startFakeOpenAI } from './openai.js'

/**
 * A fake Azure OpenAI resource on a real socket: OpenAI's bodies and streams (the OpenAI fake runs
 * the socket and the script) behind Azure's URLs and auth, checked as Azure checks them
 * (learn.microsoft.com, Azure OpenAI REST reference):
 * - `/openai/deployments/{deployment}/{chat/completions|embeddings}?api-version=...`: an unknown
 *   deployment is a 404 DeploymentNotFound, a missing api-version a 404 "Resource not found";
 * - `/openai/v1/{chat/completions|embeddings}` (the v1 API): the deployment is the body's `model`;
 * - auth: the `api-key` header or `Authorization: Bearer <Entra ID token>`, else a 401.
 */
export interface FakeAzureOptions {
  deployments: string[]
  apiVersion?: string
  apiKey?: string
  adToken?: string
}

export interface FakeAzure {
  /** The resource endpoint, as a provider's `base_url` (no `/openai`). */
  url: string
  calls: RecordedCall[]
  server: FakeOpenAI
  close(): Promise<void>
}

const DEPLOYMENT = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)(\?.*)?$/
const V1 = /^\/openai\/v1\/(chat\/completions|embeddings)$/

export async function startFakeAzureOpenAI(script: Step[], options: FakeAzureOptions): Promise<FakeAzure> {
  let answered = 0
  const server = await startFakeOpenAI((call) => {
    const refused = check(call, options)
    if (refused) return refused
    answered++
    return script[Math.min(answered - 1, script.length - 1)] ?? json(completion('hello from Azure'))
  })
  return {
    url: server.url.replace(/\/v1$/, ''),
    calls: server.calls,
    server,
    close: () => server.close(),
  }
}

function check(call: RecordedCall, options: FakeAzureOptions): Step | undefined {
  const key = call.headers['api-key']
  const bearer = call.headers.authorization
  const authorized =
    (options.apiKey !== undefined && key === options.apiKey) ||
    (options.adToken !== undefined && bearer === `Bearer ${options.adToken}`)
  if (!authorized) return json(azureFixture('error-401.json'), { status: 401 })
  const deployment = DEPLOYMENT.exec(call.path)
  const v1 = V1.exec(call.path)
  if (!deployment && !v1) return azureError(404, '404', 'Resource not found')
  if (deployment) {
    const version = new URLSearchParams(deployment[3] ?? '').get('api-version')
    if (!version || (options.apiVersion && version !== options.apiVersion)) {
      return azureError(404, '404', 'Resource not found')
    }
  }
  const name = deployment ? decodeURIComponent(deployment[1]!) : String(call.body.model)
  if (!options.deployments.includes(name)) return json(azureFixture('error-404.json'), { status: 404 })
  return undefined
}

/** Azure's error body: OpenAI's `error` object, whose `code` is sometimes the status as a string. */
export function azureError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Step {
  return json({ error: { code, message } }, { status, headers })
}

export function azureFixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/azure-openai/${name}`, import.meta.url), 'utf8'))
}

export const azureSseFixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/azure-openai/${name}`, import.meta.url), 'utf8')
