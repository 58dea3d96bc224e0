import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestGateway } from '../helpers/gateway.js'
import { admin, chat, startAccessGateway } from './access-helpers.js'

/** A local identity provider: one ES256 key served as a JWKS. */
describe('OIDC / JWT bearer tokens', () => {
  let idp: Server
  let jwksUrl: string
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']
  let gateway: TestGateway
  let down: TestGateway

  const token = (claims: Record<string, unknown>, expiresIn = '5m') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('https://idp.test')
      .setAudience('gatehouse')
      .setSubject('alice@example.com')
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(privateKey)

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true })
    privateKey = pair.privateKey
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
    idp = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }))
    })
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r))
    jwksUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/jwks.json`
    const jwt = {
      jwks_url: jwksUrl,
      issuer: 'https://idp.test',
      audience: 'gatehouse',
      tenant_claim: 'org.id',
    }
    gateway = await startAccessGateway({ auth: { mode: 'keys', jwt }, logging: { request_log: true } })
    down = await startAccessGateway({
      auth: { mode: 'keys', jwt: { ...jwt, jwks_url: 'http://127.0.0.1:1/jwks.json' } },
    })
  })
  afterAll(async () => {
    await gateway?.close()
    await down?.close()
    await new Promise((r) => idp?.close(r))
  })

  it('maps the tenant and user from claims and serves the call', async () => {
    const res = await chat(gateway, await token({ org: { id: 'acme' }, roles: ['user'] }))
    expect(res.status).toBe(200)
    const line = gateway.logs.findLast((l) => l['msg'] === 'request completed')!
    expect(line).toMatchObject({ tenant: 'acme', key_id: 'jwt:alice@example.com' })
  })

  it("applies the tenant's model list to JWT callers too", async () => {
    const res = await chat(gateway, await token({ org: { id: 'acme' } }), { model: 'large' })
    expect(res.status).toBe(403)
  })

  it('refuses an expired token, a wrong audience and an unknown tenant', async () => {
    const expired = await chat(gateway, await token({ org: { id: 'acme' } }, '-1m'))
    expect(expired.status).toBe(401)
    expect(expired.json.error.message).toMatch(/expired/i)
    const wrongAudience = await chat(
      gateway,
      await new SignJWT({ org: { id: 'acme' } })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer('https://idp.test')
        .setAudience('another-app')
        .setExpirationTime('5m')
        .sign(privateKey),
    )
    expect(wrongAudience.status).toBe(401)
    const unknownTenant = await chat(gateway, await token({ org: { id: 'initech' } }))
    expect(unknownTenant.status).toBe(403)
    expect(unknownTenant.json.error.message).toContain("Unknown tenant 'initech'")
  })

  it('gives admin-plane roles from the roles claim', async () => {
    const auditor = await token({ org: { id: 'acme' }, roles: ['auditor'] })
    expect((await admin(gateway, 'GET', '/keys', undefined, auditor)).status).toBe(200)
    expect((await admin(gateway, 'POST', '/keys', { tenant: 'acme', name: 'x' }, auditor)).status).toBe(403)
    expect((await chat(gateway, auditor)).status).toBe(403)
  })

  it('answers 503 auth_unavailable when the identity provider cannot be reached', async () => {
    const res = await chat(down, await token({ org: { id: 'acme' } }))
    expect(res.status).toBe(503)
    expect(res.json.error.code).toBe('auth_unavailable')
  })
})
