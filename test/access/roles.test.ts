import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestGateway } from '../helpers/gateway.js'
import { ADMIN_KEY, admin, chat, createKey, startAccessGateway } from './access-helpers.js'

type Role = 'admin' | 'auditor' | 'finops' | 'user'

/** Every admin endpoint, and the roles that may use it; all others must get 403. */
const ENDPOINTS: Array<{ method: 'GET' | 'POST' | 'PUT'; path: string; body?: unknown; allowed: Role[] }> = [
  { method: 'GET', path: '/breakers', allowed: ['admin', 'auditor'] },
  { method: 'GET', path: '/keys', allowed: ['admin', 'auditor'] },
  { method: 'GET', path: '/keys/{id}', allowed: ['admin', 'auditor'] },
  { method: 'POST', path: '/keys', body: { tenant: 'team', name: 'made' }, allowed: ['admin'] },
  { method: 'POST', path: '/keys/{id}/rotate', body: {}, allowed: ['admin'] },
  { method: 'POST', path: '/keys/{id}/revoke', allowed: ['admin'] },
  { method: 'GET', path: '/tenants', allowed: ['admin', 'auditor', 'finops'] },
  { method: 'GET', path: '/budgets', allowed: ['admin', 'auditor', 'finops'] },
  { method: 'GET', path: '/logs', allowed: ['admin', 'auditor'] },
  { method: 'GET', path: '/usage?group_by=model', allowed: ['admin', 'auditor', 'finops'] },
  { method: 'PUT', path: '/tenants/team', body: { models: ['small'] }, allowed: ['admin'] },
  { method: 'PUT', path: '/tenants/team/budget', body: { daily_usd: 5 }, allowed: ['admin', 'finops'] },
  { method: 'PUT', path: '/keys/{id}/budget', body: { monthly_usd: 50 }, allowed: ['admin', 'finops'] },
]

describe('roles on the admin plane', () => {
  let gateway: TestGateway
  const keys = {} as Record<Role, string>
  beforeAll(async () => {
    gateway = await startAccessGateway({
      tenants: { acme: { budget: { daily_usd: 5 } }, globex: {} },
    })
    // The role keys belong to a tenant managed through the API, so its admin may change it.
    expect((await admin(gateway, 'PUT', '/tenants/team', { budget: { daily_usd: 5 } })).status).toBe(200)
    for (const role of ['admin', 'auditor', 'finops', 'user'] as const) {
      keys[role] = (await createKey(gateway, { tenant: 'team', name: role, role })).key
    }
  })
  afterAll(async () => {
    await gateway?.close()
  })

  for (const endpoint of ENDPOINTS) {
    for (const role of ['admin', 'auditor', 'finops', 'user'] as const) {
      const allowed = endpoint.allowed.includes(role)
      it(`${endpoint.method} /admin${endpoint.path} as ${role}: ${allowed ? 'allowed' : '403'}`, async () => {
        // A fresh target key per check, so revoke and rotate have something to act on.
        const target = await createKey(gateway, { tenant: 'team', name: 'target' })
        const path = endpoint.path.replace('{id}', target.id)
        const res = await admin(gateway, endpoint.method, path, endpoint.body, keys[role])
        if (allowed) {
          expect(res.status, JSON.stringify(res.json)).toBeLessThan(300)
        } else {
          expect(res.status).toBe(403)
          expect(res.json.error.code).toBe('forbidden')
          expect(res.json.error.message).toContain(`has ${role}`)
        }
      })
    }
  }

  it('refuses every admin endpoint without a credential (401)', async () => {
    for (const endpoint of ENDPOINTS) {
      const res = await fetch(`${gateway.url}/admin${endpoint.path.replace('{id}', 'x')}`, {
        method: endpoint.method,
      })
      expect(res.status, endpoint.path).toBe(401)
    }
  })

  it('keeps admin-plane roles off the data plane; user and admin may call models', async () => {
    expect((await chat(gateway, keys.auditor)).status).toBe(403)
    expect((await chat(gateway, keys.finops)).status).toBe(403)
    expect((await chat(gateway, keys.user)).status).toBe(200)
    expect((await chat(gateway, keys.admin)).status).toBe(200)
  })

  it("scopes a tenant's admin key to its own tenant", async () => {
    const theirs = await admin(gateway, 'POST', '/keys', { tenant: 'globex', name: 'g' }, ADMIN_KEY)
    const other = await admin(gateway, 'GET', `/keys/${theirs.json.id}`, undefined, keys.admin)
    expect(other.status).toBe(404)
    const create = await admin(gateway, 'POST', '/keys', { tenant: 'globex', name: 'x' }, keys.admin)
    expect(create.status).toBe(403)
    const list = await admin(gateway, 'GET', '/keys', undefined, keys.admin)
    expect(list.json.data.every((k: { tenant: string }) => k.tenant === 'team')).toBe(true)
    const all = await admin(gateway, 'GET', '/keys', undefined, ADMIN_KEY)
    expect(all.json.data.some((k: { tenant: string }) => k.tenant === 'globex')).toBe(true)
    const tenants = await admin(gateway, 'GET', '/tenants', undefined, keys.finops)
    expect(tenants.json.data.map((t: { name: string }) => t.name)).toEqual(['team'])
    // Nor may it create or change another tenant.
    expect((await admin(gateway, 'PUT', '/tenants/other', {}, keys.admin)).status).toBe(403)
  })
})
