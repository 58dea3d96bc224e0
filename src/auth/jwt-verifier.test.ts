import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import type { JwtErrorReason } from './jwt-error.js'
import { type JwtConfig, jwtSchema } from './jwt-schema.js'
import { createJwtVerifier, type JwtVerifier } from './jwt-verifier.js'
import { looksLikeJwt } from './looks-like-jwt.js'

const T0 = Date.UTC(2030, 0, 1) // a fixed clock, far from the real one, so nothing depends on it
const S = 1000

interface SigningKey {
  kid: string
  alg: string
  privateKey: CryptoKey
  publicJwk: JWK
}

async function signingKey(alg: string, kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } }
}

/** A local IdP: serves `/.well-known/jwks.json` from `keys`, counts fetches, or fails on demand. */
async function startJwksServer(keys: SigningKey[]) {
  const state = { keys, fetches: 0, status: 200 }
  const server: Server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end()
    state.fetches++
    res.writeHead(state.status, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ keys: state.keys.map((key) => key.publicJwk) }))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  servers.push(server)
  return Object.assign(state, { url: `http://127.0.0.1:${port}/.well-known/jwks.json`, server })
}
const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))))
})

function sign(
  key: SigningKey,
  claims: JWTPayload,
  header: { kid?: string | undefined } = {},
): Promise<string> {
  const base = { tenant: 'acme', roles: ['user'], sub: 'alice', iss: 'https://idp.test', aud: 'gatehouse' }
  return new SignJWT({ ...base, iat: T0 / S, exp: T0 / S + 3600, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .sign(key.privateKey)
}

async function verifier(config: Record<string, unknown>, clock = { ms: T0 }): Promise<JwtVerifier> {
  const parsed: JwtConfig = jwtSchema.parse({ issuer: 'https://idp.test', audience: 'gatehouse', ...config })
  return createJwtVerifier(parsed, { now: () => clock.ms })
}

async function reasonOf(promise: Promise<unknown>): Promise<JwtErrorReason | 'accepted'> {
  try {
    await promise
    return 'accepted'
  } catch (err) {
    return (err as { reason: JwtErrorReason }).reason
  }
}

describe('createJwtVerifier with a JWKS URL', () => {
  it('maps an RS256 token to tenant, roles and user', async () => {
    const rsa = await signingKey('RS256', 'rsa-1')
    const idp = await startJwksServer([rsa])
    const jwt = await verifier({ jwks_url: idp.url })
    expect(await jwt.verify(await sign(rsa, { roles: ['user', 'finops'] }))).toEqual({
      tenant: 'acme',
      roles: ['user', 'finops'],
      user: 'alice',
      expiresAtMs: T0 + 3600 * S,
    })
  })

  it('maps an ES256 token whose roles are a space-separated string', async () => {
    const ec = await signingKey('ES256', 'ec-1')
    const idp = await startJwksServer([ec])
    const jwt = await verifier({ jwks_url: idp.url })
    const principal = await jwt.verify(await sign(ec, { roles: 'auditor  finops' }))
    expect(principal.roles).toEqual(['auditor', 'finops'])
  })

  it('reads dotted claim paths, and a namespaced claim whose name has dots', async () => {
    const rsa = await signingKey('RS256', 'rsa-1')
    const idp = await startJwksServer([rsa])
    const nested = await verifier({
      jwks_url: idp.url,
      tenant_claim: 'org.id',
      roles_claim: 'realm_access.roles',
      user_claim: 'email',
    })
    const token = await sign(rsa, {
      org: { id: 'initech' },
      realm_access: { roles: ['admin'] },
      email: 'a@x.test',
    })
    expect(await nested.verify(token)).toMatchObject({
      tenant: 'initech',
      roles: ['admin'],
      user: 'a@x.test',
    })

    const namespaced = await verifier({ jwks_url: idp.url, tenant_claim: 'https://gatehouse.test/tenant' })
    const auth0Style = await sign(rsa, { 'https://gatehouse.test/tenant': 'globex' })
    expect((await namespaced.verify(auth0Style)).tenant).toBe('globex')
  })

  it('gives default_role, or no roles, when the roles claim is absent', async () => {
    const rsa = await signingKey('RS256', 'rsa-1')
    const idp = await startJwksServer([rsa])
    const token = await sign(rsa, { roles: undefined })
    expect((await (await verifier({ jwks_url: idp.url, default_role: 'user' })).verify(token)).roles).toEqual(
      ['user'],
    )
    expect((await (await verifier({ jwks_url: idp.url })).verify(token)).roles).toEqual([])
  })

  it('refetches the JWKS when a token names a new kid (key rotation)', async () => {
    const old = await signingKey('RS256', '2030-01')
    const idp = await startJwksServer([old])
    const jwt = await verifier({ jwks_url: idp.url, jwks_cooldown_s: 0 })
    await jwt.verify(await sign(old, {}))
    expect(idp.fetches).toBe(1)

    const rotated = await signingKey('ES256', '2030-02')
    idp.keys = [old, rotated]
    expect((await jwt.verify(await sign(rotated, { tenant: 'rotated' }))).tenant).toBe('rotated')
    expect(idp.fetches).toBe(2)
  })

  it('does not refetch for an unknown kid within the cooldown', async () => {
    const known = await signingKey('RS256', 'known')
    const idp = await startJwksServer([known])
    const jwt = await verifier({ jwks_url: idp.url, jwks_cooldown_s: 30 })
    await jwt.verify(await sign(known, {}))
    const stranger = await signingKey('RS256', 'stranger')
    expect(await reasonOf(jwt.verify(await sign(stranger, {})))).toBe('unknown_key')
    expect(idp.fetches).toBe(1)
  })

  it('reports jwks_unavailable when the IdP is down or answers with an error', async () => {
    const rsa = await signingKey('RS256', 'rsa-1')
    const idp = await startJwksServer([rsa])
    const token = await sign(rsa, {})
    idp.status = 500
    const failing = await verifier({ jwks_url: idp.url })
    const err = await failing.verify(token).catch((e: Error) => e)
    expect(err).toMatchObject({ name: 'JwtError', reason: 'jwks_unavailable' })
    expect((err as Error).message).not.toContain(token)

    await new Promise((done) => idp.server.close(done))
    const down = await verifier({ jwks_url: idp.url })
    expect(await reasonOf(down.verify(token))).toBe('jwks_unavailable')
  })
})

describe('createJwtVerifier refuses', () => {
  const setup = async (config: Record<string, unknown> = {}, clock = { ms: T0 }) => {
    const rsa = await signingKey('RS256', 'rsa-1')
    const idp = await startJwksServer([rsa])
    return { rsa, idp, jwt: await verifier({ jwks_url: idp.url, ...config }, clock) }
  }

  it('a bad signature: another key under a published kid, or a tampered payload', async () => {
    const { rsa, jwt } = await setup()
    const impostor = { ...(await signingKey('RS256', 'rsa-1')), kid: rsa.kid }
    expect(await reasonOf(jwt.verify(await sign(impostor, {})))).toBe('invalid_signature')
    const [header, , signature] = (await sign(rsa, {})).split('.')
    const forged = Buffer.from(JSON.stringify({ tenant: 'other', sub: 'x', exp: T0 / S + 60 })).toString(
      'base64url',
    )
    expect(await reasonOf(jwt.verify(`${header}.${forged}.${signature}`))).toBe('invalid_signature')
  })

  it('an expired token, beyond the clock tolerance only', async () => {
    const clock = { ms: T0 }
    const { rsa, jwt } = await setup({ clock_tolerance_s: 30, verify_cache_s: 0 }, clock)
    const token = await sign(rsa, { exp: T0 / S + 60 })
    clock.ms = T0 + 80 * S
    expect(await reasonOf(jwt.verify(token))).toBe('accepted')
    clock.ms = T0 + 91 * S
    expect(await reasonOf(jwt.verify(token))).toBe('expired')
  })

  it('a token that is not valid yet (nbf)', async () => {
    const { rsa, jwt } = await setup()
    expect(await reasonOf(jwt.verify(await sign(rsa, { nbf: T0 / S + 120 })))).toBe('not_yet_valid')
  })

  it('a wrong issuer or audience', async () => {
    const { rsa, jwt } = await setup({ issuer: ['https://idp.test', 'https://other.test'] })
    expect(await reasonOf(jwt.verify(await sign(rsa, { iss: 'https://evil.test' })))).toBe('issuer')
    expect(await reasonOf(jwt.verify(await sign(rsa, { aud: 'another-app' })))).toBe('audience')
    expect(await reasonOf(jwt.verify(await sign(rsa, { iss: 'https://other.test' })))).toBe('accepted')
  })

  it('alg none, and an algorithm outside the allowed list, without fetching the JWKS', async () => {
    const { idp, jwt } = await setup({ algorithms: ['RS256'] })
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const unsecured = `${encode({ alg: 'none' })}.${encode({ tenant: 'acme', sub: 'x' })}.`
    expect(await reasonOf(jwt.verify(unsecured))).toBe('algorithm')
    const ec = await signingKey('ES256', 'ec-1')
    idp.keys.push(ec)
    expect(await reasonOf(jwt.verify(await sign(ec, {})))).toBe('algorithm')
    expect(idp.fetches).toBe(0)
  })

  it('HS256 signed with the RSA public key as its secret (algorithm confusion)', async () => {
    const { rsa, jwt } = await setup()
    const pem = await exportSPKI((await generateKeyPair('RS256', { extractable: true })).publicKey)
    const confused = await new SignJWT({ tenant: 'acme' })
      .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
      .sign(new TextEncoder().encode(pem))
    expect(await reasonOf(jwt.verify(confused))).toBe('algorithm')
  })

  it('a token without the tenant claim, naming the claim', async () => {
    const { rsa, jwt } = await setup({ tenant_claim: 'org.id' })
    const err = await jwt.verify(await sign(rsa, {})).catch((e: Error) => e)
    expect(err).toMatchObject({ reason: 'claim_missing' })
    expect((err as Error).message).toContain('"org.id"')
  })

  it('claims of the wrong type', async () => {
    const { rsa, jwt } = await setup()
    expect(await reasonOf(jwt.verify(await sign(rsa, { roles: 7 })))).toBe('claim_invalid')
    expect(await reasonOf(jwt.verify(await sign(rsa, { tenant: { id: 1 } })))).toBe('claim_invalid')
  })

  it('malformed tokens', async () => {
    const { jwt } = await setup()
    for (const token of [
      '',
      'gth_abc_def',
      'a.b',
      'a.b.c',
      `${'x'.repeat(20_000)}.a.b`,
      'eyJhbGciOiJSUzI1NiJ9.%%%.x',
    ]) {
      expect(await reasonOf(jwt.verify(token))).toBe('malformed')
    }
  })

  it('a kid the IdP does not publish', async () => {
    const { jwt } = await setup()
    expect(await reasonOf(jwt.verify(await sign(await signingKey('RS256', 'nope'), {})))).toBe('unknown_key')
  })
})

describe('createJwtVerifier with static keys', () => {
  it('accepts a token signed for a PEM public key', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    const jwt = await verifier({ static_keys: [await exportSPKI(publicKey)] })
    const key = { kid: 'ignored', alg: 'ES256', privateKey, publicJwk: {} }
    expect((await jwt.verify(await sign(key, {}, { kid: undefined }))).tenant).toBe('acme')
  })

  it('picks the JWK whose kid the token names', async () => {
    const a = await signingKey('RS256', 'a')
    const b = await signingKey('RS256', 'b')
    const jwt = await verifier({ static_keys: [a.publicJwk, b.publicJwk] })
    expect((await jwt.verify(await sign(b, { tenant: 'b' }))).tenant).toBe('b')
    expect(await reasonOf(jwt.verify(await sign(await signingKey('RS256', 'c'), {})))).toBe('unknown_key')
  })

  it('accepts HS256 only when a shared secret is configured', async () => {
    const secret = 'a-shared-secret-of-at-least-32-chars!'
    const hs = { kid: 'hs', alg: 'HS256', privateKey: new TextEncoder().encode(secret), publicJwk: {} }
    const token = await sign(hs as unknown as SigningKey, {})
    expect((await (await verifier({ static_keys: [{ secret }] })).verify(token)).user).toBe('alice')
    const wrongSecret = await verifier({ static_keys: [{ secret: secret.toUpperCase() }] })
    expect(await reasonOf(wrongSecret.verify(token))).toBe('invalid_signature')
    const ec = await signingKey('ES256', 'ec')
    expect(await reasonOf((await verifier({ static_keys: [ec.publicJwk] })).verify(token))).toBe('algorithm')
  })

  it('fails at creation when no allowed algorithm fits a key', async () => {
    const ec = await signingKey('ES256', 'ec')
    await expect(verifier({ static_keys: [ec.publicJwk], algorithms: ['RS256'] })).rejects.toThrow(
      /static_keys\[0\]: no allowed algorithm/,
    )
  })
})

describe('the verification cache', () => {
  it('never returns a principal for a token past its exp', async () => {
    const rsa = await signingKey('RS256', 'rsa-1')
    const idp = await startJwksServer([rsa])
    const clock = { ms: T0 }
    const jwt = await verifier({ jwks_url: idp.url, clock_tolerance_s: 0, verify_cache_s: 600 }, clock)
    const token = await sign(rsa, { exp: T0 / S + 10 })
    expect(await reasonOf(jwt.verify(token))).toBe('accepted')
    clock.ms = T0 + 9 * S
    expect(await reasonOf(jwt.verify(token))).toBe('accepted')
    clock.ms = T0 + 10 * S
    expect(await reasonOf(jwt.verify(token))).toBe('expired')
  })

  it('serves a reused token without verifying it again', async () => {
    const rsa = await signingKey('RS256', 'rsa-1')
    const idp = await startJwksServer([rsa])
    const jwt = await verifier({ jwks_url: idp.url, jwks_cache_s: 0, verify_cache_s: 60 })
    const token = await sign(rsa, {})
    const first = await jwt.verify(token)
    first.roles.push('tampered')
    // jwks_cache_s: 0 makes every real verification fetch the JWKS, so fetches count verifications.
    expect(await jwt.verify(token)).toMatchObject({ roles: ['user'] })
    expect(idp.fetches).toBe(1)
  })
})

describe('looksLikeJwt', () => {
  it('tells a JWT from a virtual key and from junk', async () => {
    const rsa = await signingKey('RS256', 'rsa-1')
    expect(looksLikeJwt(await sign(rsa, {}))).toBe(true)
    expect(looksLikeJwt('eyJhbGciOiJub25lIn0.e30.')).toBe(true) // alg none is a JWT; the verifier refuses it
    expect(looksLikeJwt('gth_k1a2b3_s3cr3t')).toBe(false)
    expect(looksLikeJwt('a.b.c')).toBe(false)
    expect(looksLikeJwt(`${Buffer.from('{"typ":"JWT"}').toString('base64url')}.e30.x`)).toBe(false)
    expect(looksLikeJwt(`${Buffer.from('{"alg":"RS256"}').toString('base64url')}.e30.sig.extra`)).toBe(false)
  })
})
