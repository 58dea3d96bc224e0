import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { jwtSchema } from './jwt-schema.js'

const issues = (input: unknown): string[] => {
  const parsed = jwtSchema.safeParse(input)
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('jwtSchema', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString()

  it('needs jwks_url or static_keys, and says how to give them', () => {
    expect(issues({})).toEqual([expect.stringMatching(/^: set jwks_url .* or static_keys/)])
  })

  it('defaults to asymmetric algorithms, adding HS* only for a shared secret', () => {
    const asymmetric = jwtSchema.parse({ static_keys: [pem] })
    expect(asymmetric.algorithms).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'])
    expect(asymmetric).toMatchObject({ tenant_claim: 'tenant', roles_claim: 'roles', user_claim: 'sub' })
    const shared = jwtSchema.parse({ static_keys: [{ secret: 's'.repeat(32) }] })
    expect(shared.algorithms).toContain('HS256')
    expect(JSON.stringify(shared)).not.toContain('sss')
  })

  it('refuses HS* without a secret, and a secret no algorithm uses', () => {
    expect(issues({ jwks_url: 'https://idp.test/jwks', algorithms: ['HS256'] })).toEqual([
      expect.stringMatching(/^algorithms: HS256 needs a shared secret/),
    ])
    expect(issues({ static_keys: [{ secret: 's'.repeat(32) }], algorithms: ['RS256'] })).toEqual([
      expect.stringMatching(/^static_keys.0: a shared secret is only used with HS256/),
    ])
    expect(issues({ static_keys: [{ secret: 'short' }] })).toEqual([
      expect.stringMatching(/^static_keys.0.secret: at least 32 characters/),
    ])
  })

  it('refuses private keys, symmetric JWKs and unknown algorithms', () => {
    const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    expect(issues({ static_keys: [privatePem] })).toEqual([expect.stringMatching(/this is a private key/)])
    expect(issues({ static_keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' }] })).toEqual([
      expect.stringMatching(/holds a private key/),
    ])
    expect(issues({ static_keys: [{ kty: 'oct', k: 'abc' }] })).toEqual([
      expect.stringMatching(/goes in \{ secret \}/),
    ])
    expect(issues({ jwks_url: 'https://idp.test/jwks', algorithms: ['none'] })).toHaveLength(1)
  })
})
