import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { TestGateway } from '../helpers/gateway.js'
import { admin, chat, createKey, startAccessGateway } from './access-helpers.js'

describe('virtual keys', () => {
  let gateway: TestGateway
  afterEach(async () => {
    await gateway?.close()
  })

  it('creates a key shown once with a recognisable prefix, stores only a keyed hash, and calls with it', async () => {
    gateway = await startAccessGateway()
    const created = await admin(gateway, 'POST', '/keys', { tenant: 'acme', name: 'ci bot' })
    expect(created.status).toBe(201)
    const { key, id } = created.json
    expect(key).toMatch(/^gth_[a-z2-9]{12}_[A-Za-z0-9_-]{43}$/)
    expect(key).toContain(id)
    expect(created.json).toMatchObject({ tenant: 'acme', name: 'ci bot', role: 'user' })

    const listed = await admin(gateway, 'GET', '/keys')
    expect(listed.json.data).toHaveLength(1)
    expect(JSON.stringify(listed.json)).not.toContain(key.slice(-43))
    expect(listed.json.data[0].prefix).toBe(`${key.slice(0, 21)}…`)

    // The store holds a keyed hash, not the key and not its plain SHA-256.
    const stored = (await gateway.gatehouse.store.getKey(id))!
    expect(stored.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(stored.hash).not.toBe(createHash('sha256').update(key).digest('hex'))
    expect(JSON.stringify(stored)).not.toContain(key)

    const ok = await chat(gateway, key)
    expect(ok.status).toBe(200)
    // x-api-key works as Anthropic's SDK sends it.
    const viaHeader = await fetch(`${gateway.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ model: 'small', messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(viaHeader.status).toBe(200)
  })

  it('refuses a missing, malformed, unknown or tampered key with 401 invalid_api_key', async () => {
    gateway = await startAccessGateway()
    const { key } = await createKey(gateway, { tenant: 'acme', name: 'a' })
    const tampered = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`
    for (const candidate of [undefined, 'sk-not-ours', 'gth_aaaaaaaaaaaa_' + 'x'.repeat(43), tampered]) {
      const res = await chat(gateway, candidate)
      expect(res.status, String(candidate)).toBe(401)
      expect(res.json.error.code).toBe('invalid_api_key')
      expect(res.text).not.toContain(key)
    }
  })

  it('revokes a key at once', async () => {
    gateway = await startAccessGateway()
    const { key, id } = await createKey(gateway, { tenant: 'acme', name: 'a' })
    expect((await chat(gateway, key)).status).toBe(200)
    const revoked = await admin(gateway, 'POST', `/keys/${id}/revoke`)
    expect(revoked.status).toBe(200)
    expect(revoked.json.revoked_at).not.toBeNull()
    expect((await chat(gateway, key)).status).toBe(401)
  })

  it('rotates a key: the new secret works, the old one only during the grace period', async () => {
    gateway = await startAccessGateway()
    const { key: old, id } = await createKey(gateway, { tenant: 'acme', name: 'a' })
    const rotated = await admin(gateway, 'POST', `/keys/${id}/rotate`, { grace_period: '1h' })
    expect(rotated.status).toBe(200)
    expect(rotated.json.id).toBe(id)
    expect(rotated.json.key).not.toBe(old)
    expect((await chat(gateway, rotated.json.key)).status).toBe(200)
    expect((await chat(gateway, old)).status).toBe(200)

    const again = await admin(gateway, 'POST', `/keys/${id}/rotate`, { grace_period: '0s' })
    expect((await chat(gateway, again.json.key)).status).toBe(200)
    expect((await chat(gateway, rotated.json.key)).status).toBe(401)
    expect((await chat(gateway, old)).status).toBe(401)
  })

  it('expires a key', async () => {
    gateway = await startAccessGateway()
    const past = await admin(gateway, 'POST', '/keys', {
      tenant: 'acme',
      name: 'old',
      expires_at: new Date(Date.now() - 1000).toISOString(),
    })
    expect((await chat(gateway, past.json.key)).status).toBe(401)
    const future = await admin(gateway, 'POST', '/keys', { tenant: 'acme', name: 'new', expires_in: '30d' })
    expect(Date.parse(future.json.expires_at) - Date.now()).toBeGreaterThan(29 * 86_400_000)
    expect((await chat(gateway, future.json.key)).status).toBe(200)
    const bad = await admin(gateway, 'POST', '/keys', { tenant: 'acme', name: 'x', expires_in: 'soon' })
    expect(bad.status).toBe(400)
    expect(bad.json.error.message).toContain('expires_in')
  })

  it('tracks last use without writing on the request path', async () => {
    gateway = await startAccessGateway({ auth: { mode: 'keys', refresh_s: 0.1 } })
    const { key, id } = await createKey(gateway, { tenant: 'acme', name: 'a' })
    expect((await admin(gateway, 'GET', `/keys/${id}`)).json.last_used_at).toBeNull()
    const before = Date.now()
    await chat(gateway, key)
    await expect
      .poll(async () => Date.parse((await admin(gateway, 'GET', `/keys/${id}`)).json.last_used_at ?? '0'), {
        timeout: 3000,
      })
      .toBeGreaterThanOrEqual(before - 5)
  })

  it('keeps a key within its models and its tenant within its own (403, param model)', async () => {
    gateway = await startAccessGateway()
    const narrow = await createKey(gateway, { tenant: 'acme', name: 'narrow', models: ['small'] })
    expect((await chat(gateway, narrow.key)).status).toBe(200)
    const denied = await chat(gateway, narrow.key, { model: 'chat' })
    expect(denied.status).toBe(403)
    expect(denied.json.error).toMatchObject({ code: 'forbidden', param: 'model' })
    // The tenant acme may not use `large` at all; a key of it cannot be given it either.
    const wide = await createKey(gateway, { tenant: 'acme', name: 'wide' })
    expect((await chat(gateway, wide.key, { model: 'large' })).status).toBe(403)
    const exceeding = await admin(gateway, 'POST', '/keys', { tenant: 'acme', name: 'x', models: ['large'] })
    expect(exceeding.status).toBe(400)
    expect(exceeding.json.error.message).toContain('not allowed for tenant acme')
    const unknownTenant = await admin(gateway, 'POST', '/keys', { tenant: 'nobody', name: 'x' })
    expect(unknownTenant.status).toBe(400)
    // globex has no model list: everything configured.
    const other = await createKey(gateway, { tenant: 'globex', name: 'g' })
    expect((await chat(gateway, other.key, { model: 'large' })).status).toBe(200)
  })

  it('lists only the models a key may use, and only to a caller with a key', async () => {
    gateway = await startAccessGateway()
    const narrow = await createKey(gateway, { tenant: 'acme', name: 'narrow', models: ['small'] })
    const wide = await createKey(gateway, { tenant: 'globex', name: 'wide' })
    const list = async (key?: string) =>
      fetch(`${gateway.baseURL}/models`, { headers: key ? { authorization: `Bearer ${key}` } : {} })
    expect((await list()).status).toBe(401)
    const ids = async (key: string) => ((await (await list(key)).json()) as any).data.map((m: any) => m.id)
    expect(await ids(narrow.key)).toEqual(['small'])
    expect(await ids(wide.key)).toEqual(['small', 'large', 'chat'])
    const hidden = await fetch(`${gateway.baseURL}/models/large`, {
      headers: { authorization: `Bearer ${narrow.key}` },
    })
    expect(hidden.status).toBe(404)
  })

  it('never trusts a tenant header: the key decides the tenant', async () => {
    gateway = await startAccessGateway({ logging: { request_log: true } })
    const { key } = await createKey(gateway, { tenant: 'acme', name: 'a' })
    const res = await chat(gateway, key, {})
    expect(res.status).toBe(200)
    const spoofed = await fetch(`${gateway.baseURL}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${key}`,
        'x-gatehouse-tenant': 'globex',
      },
      body: JSON.stringify({ model: 'small', messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(spoofed.status).toBe(200)
    const lines = gateway.logs.filter((l) => l['msg'] === 'request completed')
    expect(lines.map((l) => l['tenant'])).toEqual(['acme', 'acme'])
  })

  it('accepts keys declared in config, from the environment or as a SHA-256', async () => {
    const fromEnv = 'config-key-from-env-0123456789'
    const hashed = 'config-key-by-hash-0123456789'
    gateway = await startAccessGateway(
      {
        keys: [
          { name: 'env-key', tenant: 'acme', key: '${CI_KEY}' },
          {
            name: 'hash-key',
            tenant: 'globex',
            sha256: `sha256:${createHash('sha256').update(hashed).digest('hex')}`,
          },
          { name: 'gone', tenant: 'globex', key: 'expired-config-key-0123456789', expires_at: '2020-01-01' },
        ],
      },
      { CI_KEY: fromEnv },
    )
    expect((await chat(gateway, fromEnv)).status).toBe(200)
    expect((await chat(gateway, hashed, { model: 'large' })).status).toBe(200)
    expect((await chat(gateway, fromEnv, { model: 'large' })).status).toBe(403)
    expect((await chat(gateway, 'expired-config-key-0123456789')).status).toBe(401)
    expect(gateway.rawLogs()).not.toContain(fromEnv)
  })

  it('auth.mode none serves without a key and warns at start', async () => {
    gateway = await startAccessGateway({ auth: { mode: 'none', default_tenant: 'acme' } })
    expect((await chat(gateway, undefined)).status).toBe(200)
    const warning = gateway.logs.find((l) => String(l['msg']).includes('auth.mode is "none"'))
    expect(warning?.['level']).toBe(40)
  })
})

describe('tenants through the admin API', () => {
  let gateway: TestGateway
  afterEach(async () => {
    await gateway?.close()
  })

  it('creates a tenant, scopes its keys to it, lets finops set its budget, and refuses config tenants (409)', async () => {
    gateway = await startAccessGateway()
    const put = await admin(gateway, 'PUT', '/tenants/initech', { models: ['small'], limits: { rpm: 100 } })
    expect(put.status).toBe(200)
    expect(put.json).toMatchObject({ name: 'initech', source: 'api', models: ['small'] })
    const { key } = await createKey(gateway, { tenant: 'initech', name: 'svc' })
    expect((await chat(gateway, key)).status).toBe(200)
    expect((await chat(gateway, key, { model: 'large' })).status).toBe(403)
    const outside = await admin(gateway, 'POST', '/keys', { tenant: 'initech', name: 'x', models: ['large'] })
    expect(outside.status).toBe(400)

    const finops = await createKey(gateway, { tenant: 'initech', name: 'money', role: 'finops' })
    const budget = await admin(gateway, 'PUT', '/tenants/initech/budget', { daily_usd: 0.000001 }, finops.key)
    expect(budget.status).toBe(200)
    const refused = await chat(gateway, key)
    expect(refused.status).toBe(429)
    expect(refused.json.error.code).toBe('budget_exceeded')

    const listed = await admin(gateway, 'GET', '/tenants')
    expect(listed.json.data.map((t: { name: string; source: string }) => `${t.name}:${t.source}`)).toEqual([
      'acme:config',
      'globex:config',
      'initech:api',
    ])
    const configured = await admin(gateway, 'PUT', '/tenants/acme', {})
    expect(configured.status).toBe(409)
    expect(configured.json.error.message).toContain('declared in the config file')
    const invalid = await admin(gateway, 'PUT', '/tenants/initech', { limits: { rpm: -1 } })
    expect(invalid.status).toBe(400)
    expect(invalid.json.error.param).toBe('limits.rpm')
  })

  it("lets finops set a key's budget", async () => {
    gateway = await startAccessGateway({
      models: { small: { provider: 'sim', price: { input: 1e6, output: 1e6 } }, large: { provider: 'sim' } },
    })
    const { key, id } = await createKey(gateway, { tenant: 'globex', name: 'svc' })
    expect((await chat(gateway, key)).status).toBe(200)
    const finops = await createKey(gateway, { tenant: 'globex', name: 'money', role: 'finops' })
    const set = await admin(gateway, 'PUT', `/keys/${id}/budget`, { daily_usd: 1 }, finops.key)
    expect(set.status).toBe(200)
    expect(set.json.budget).toMatchObject({ daily_usd: 1, hard: true })
    const refused = await chat(gateway, key)
    expect(refused.status).toBe(429)
    expect(refused.json.error.message).toContain("key 'svc'")
  })
})
