import { createPublicKey } from 'node:crypto'
import {
  type CryptoKey,
  createRemoteJWKSet,
  customFetch,
  type FetchImplementation,
  importJWK,
  importSPKI,
  importX509,
  type JWK,
  type JWTVerifyGetKey,
  errors as jose,
} from 'jose'
import { Secret } from '../config/secret.js'
import { JwtError } from './jwt-error.js'
import type { JwtAlgorithm, JwtConfig, JwtStaticKey } from './jwt-schema.js'

/** A configured key, imported for one algorithm. */
export interface StaticJwtKey {
  alg: JwtAlgorithm
  kid: string | undefined
  key: CryptoKey | Uint8Array
}

const RSA = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const
const ALGORITHMS_BY_KEY_TYPE: Record<string, readonly JwtAlgorithm[]> = {
  rsa: RSA,
  'rsa-pss': ['PS256', 'PS384', 'PS512'],
  'ec:P-256': ['ES256'],
  'ec:P-384': ['ES384'],
  'ec:P-521': ['ES512'],
  ed25519: ['EdDSA', 'Ed25519'],
}
// Node names curves the OpenSSL way, JWK the JOSE way (RFC 7518 §6.2.1.1).
const JOSE_CURVE: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }

/**
 * Imports every static key once, for each allowed algorithm its type can sign with: a CryptoKey is
 * bound to one algorithm, and importing at startup keeps key parsing off the request path.
 */
export async function importStaticKeys(
  keys: readonly JwtStaticKey[],
  allowed: readonly JwtAlgorithm[],
): Promise<StaticJwtKey[]> {
  const imported: StaticJwtKey[] = []
  for (const [i, entry] of keys.entries()) {
    const before = imported.length
    const usable = (algs: readonly JwtAlgorithm[]): JwtAlgorithm[] =>
      algs.filter((alg) => allowed.includes(alg))
    if (typeof entry === 'string') {
      const node = createPublicKey(entry)
      const curve = JOSE_CURVE[String(node.asymmetricKeyDetails?.namedCurve)]
      const type = node.asymmetricKeyType === 'ec' ? `ec:${curve}` : String(node.asymmetricKeyType)
      const isCert = entry.startsWith('-----BEGIN CERTIFICATE-----')
      for (const alg of usable(ALGORITHMS_BY_KEY_TYPE[type] ?? [])) {
        const key = isCert ? await importX509(entry, alg) : await importSPKI(entry, alg)
        imported.push({ alg, kid: undefined, key })
      }
    } else if (entry.secret instanceof Secret) {
      const key = new TextEncoder().encode(entry.secret.reveal())
      for (const alg of usable(['HS256', 'HS384', 'HS512'])) imported.push({ alg, kid: entry.kid, key })
    } else {
      const jwk = entry as JWK
      const type =
        jwk.kty === 'RSA' ? 'rsa' : jwk.kty === 'EC' ? `ec:${jwk.crv}` : String(jwk.crv).toLowerCase()
      for (const alg of usable(jwk.alg ? [jwk.alg as JwtAlgorithm] : (ALGORITHMS_BY_KEY_TYPE[type] ?? []))) {
        imported.push({ alg, kid: jwk.kid, key: (await importJWK(jwk, alg)) as CryptoKey })
      }
    }
    if (imported.length === before) {
      throw new Error(
        `auth.jwt.static_keys[${i}]: no allowed algorithm fits this key (${allowed.join(', ')})`,
      )
    }
  }
  return imported
}

/**
 * The keys a token may be checked against: those for its `alg`, narrowed to its `kid` when a key
 * carries that kid. A key without a kid is tried for any token with the same alg.
 */
export function keysFor(keys: readonly StaticJwtKey[], alg: string, kid: string | undefined): StaticJwtKey[] {
  const sameAlg = keys.filter((key) => key.alg === alg)
  const byKid = kid === undefined ? [] : sameAlg.filter((key) => key.kid === kid)
  return byKid.length > 0 ? byKid : sameAlg.filter((key) => key.kid === undefined)
}

/**
 * The IdP's JWKS through jose's resolver: cached for `jwks_cache_s`, and refetched when a token
 * names an unknown `kid` (key rotation) unless the last fetch was under `jwks_cooldown_s` ago.
 * Failures to fetch become `jwks_unavailable`; an unknown kid stays jose's error for the caller.
 */
export function createRemoteKeys(
  config: Pick<JwtConfig, 'jwks_cache_s' | 'jwks_cooldown_s' | 'jwks_timeout_ms'> & { jwks_url: string },
  fetchImpl: FetchImplementation | undefined,
): JWTVerifyGetKey {
  const jwks = createRemoteJWKSet(new URL(config.jwks_url), {
    cacheMaxAge: config.jwks_cache_s * 1000,
    cooldownDuration: config.jwks_cooldown_s * 1000,
    timeoutDuration: config.jwks_timeout_ms,
    ...(fetchImpl === undefined ? {} : { [customFetch]: fetchImpl }),
  })
  return async function resolveRemoteKey(header, token) {
    try {
      return await jwks(header, token)
    } catch (err) {
      const aboutToken =
        err instanceof jose.JWKSNoMatchingKey ||
        err instanceof jose.JWKSMultipleMatchingKeys ||
        err instanceof jose.JOSENotSupported
      if (aboutToken) throw err
      throw new JwtError(
        'jwks_unavailable',
        'cannot load the identity provider’s signing keys (JWKS); try again later',
        { cause: err },
      )
    }
  }
}
