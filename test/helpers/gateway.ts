import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { stringify } from 'yaml'
import { type Gatehouse, type GatehouseOptions, startGatehouse } from '../../src/main.js'

export interface TestGateway {
  gatehouse: Gatehouse
  url: string
  /** `url + '/v1'`, the SDKs' base URL. */
  baseURL: string
  configPath: string
  /** Every log line, parsed. */
  logs: Array<Record<string, unknown>>
  /** Every log line as written, for "never printed" checks. */
  rawLogs: () => string
  writeConfig(config: object | string): Promise<void>
  close(): Promise<void>
}

/**
 * Start a gateway on port 0 from a config object (or YAML text), logs captured in memory.
 * `routing` replaces parts of the routing deps (clock, randomness, sleep, breakers).
 */
export async function startTestGateway(
  config: object | string,
  opts: { env?: NodeJS.ProcessEnv; watch?: boolean; routing?: GatehouseOptions['routing'] } = {},
): Promise<TestGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-test-'))
  const configPath = join(dir, 'gatehouse.yaml')
  const writeConfig = (c: object | string) => writeFile(configPath, typeof c === 'string' ? c : stringify(c))
  await writeConfig(withTestServer(config))
  const lines: string[] = []
  const logs: Array<Record<string, unknown>> = []
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) {
        if (line === '') continue
        lines.push(line)
        logs.push(JSON.parse(line) as Record<string, unknown>)
      }
      callback()
    },
  })
  const gatehouse = await startGatehouse({
    configPath,
    env: opts.env ?? {},
    port: 0,
    host: '127.0.0.1',
    logDestination: destination,
    watch: opts.watch ?? false,
    ...(opts.routing ? { routing: opts.routing } : {}),
  })
  return {
    gatehouse,
    url: gatehouse.url,
    baseURL: `${gatehouse.url}/v1`,
    configPath,
    logs,
    rawLogs: () => lines.join('\n'),
    writeConfig: (c) => writeConfig(withTestServer(c)),
    async close() {
      await gatehouse.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** Tests shut down fast unless they say otherwise. */
function withTestServer(config: object | string): object | string {
  // An in-memory store unless the test chose one: tests never share a database file.
  // Tests of routing and providers call without keys unless they configure auth themselves.
  if (typeof config === 'string') {
    const store = /^store:/m.test(config) ? '' : '\nstore: { url: "sqlite::memory:" }\n'
    const auth = /^auth:/m.test(config) ? '' : '\nauth: { mode: none }\n'
    return `${config}${store}${auth}`
  }
  const c = config as { server?: Record<string, unknown> }
  return {
    store: { url: 'sqlite::memory:' },
    auth: { mode: 'none' },
    ...c,
    server: { shutdown_timeout_ms: 2000, ...c.server },
  }
}

/** A config with one OpenAI-compatible provider at `baseUrl` serving `models` (name -> upstream id). */
export function openaiConfig(baseUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    providers: {
      upstream: { kind: 'openai-compatible', base_url: baseUrl, api_key: 'sk-test-secret-key-1234' },
    },
    models: {
      'gpt-4o-mini': { provider: 'upstream' },
      'text-embedding-3-small': { provider: 'upstream', type: 'embeddings' },
    },
    ...extra,
  }
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, text, json: json as Record<string, any> }
}
