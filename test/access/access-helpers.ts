import { postJson, startTestGateway, type TestGateway } from '../helpers/gateway.js'

export const ADMIN_KEY = 'admin-test-key-0123456789'

/** A gateway that requires keys: simulated models, two tenants, the bootstrap admin key. */
export function accessConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    auth: { mode: 'keys' },
    admin: { api_key: ADMIN_KEY },
    providers: { sim: { kind: 'simulated' } },
    models: {
      small: { provider: 'sim', price: { input: 1, output: 2 } },
      large: { provider: 'sim', price: { input: 10, output: 30 } },
    },
    routes: { chat: { targets: ['small', 'large'] } },
    tenants: {
      acme: { models: ['small', 'chat'] },
      globex: {},
    },
    loop_guard: { enabled: false },
    ...extra,
  }
}

export function startAccessGateway(extra: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) {
  return startTestGateway(accessConfig(extra), { env })
}

export async function admin(
  gateway: TestGateway,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
  key = ADMIN_KEY,
) {
  const res = await fetch(`${gateway.url}/admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, json: (text ? JSON.parse(text) : undefined) as any }
}

export async function createKey(
  gateway: TestGateway,
  body: Record<string, unknown>,
): Promise<{ id: string; key: string }> {
  const res = await admin(gateway, 'POST', '/keys', body)
  if (res.status !== 201) throw new Error(`create key: ${res.status} ${JSON.stringify(res.json)}`)
  return res.json
}

export function chat(gateway: TestGateway, key: string | undefined, body: Record<string, unknown> = {}) {
  return postJson(
    `${gateway.baseURL}/chat/completions`,
    { model: 'small', messages: [{ role: 'user', content: 'hello there' }], ...body },
    key === undefined ? {} : { authorization: `Bearer ${key}` },
  )
}
