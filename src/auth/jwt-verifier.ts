import {
  decodeProtectedHeader,
  type FetchImplementation,
  type JWTPayload,
  type JWTVerifyOptions,
  errors as jose,
  jwtVerify,
} from 'jose'
import { JwtError } from './jwt-error.js'
import { createRemoteKeys, importStaticKeys, keysFor } from './jwt-keys.js'
import type { JwtConfig } from './jwt-schema.js'
import { MAX_JWT_CHARS } from './looks-like-jwt.js'
import { createVerifiedTokenCache, tokenCacheKey } from './verified-token-cache.js'

/** Who a verified JWT speaks for. */
export interface JwtPrincipal {
  tenant: string
  roles: string[]
  user: string | undefined
  expiresAtMs: number | undefined
}

export interface JwtVerifier {
  /** The token's principal, or a `JwtError` saying why it is refused. */
  verify(token: string): Promise<JwtPrincipal>
}

export interface JwtVerifierDeps {
  /** Clock for `exp`/`nbf` checks and the verification cache. */
  now?: () => number
  /** Fetch for the JWKS (e.g. bound to the gateway's undici dispatcher). */
  fetch?: FetchImplementation
}

/**
 * Verifies bearer JWTs against `auth.jwt`. Static keys are imported here, once, so a bad key fails
 * at startup; the JWKS is fetched on first use. Verified tokens are remembered by hash (see
 * `createVerifiedTokenCache`) so the request path skips the signature check for a reused token.
 */
export async function createJwtVerifier(config: JwtConfig, deps: JwtVerifierDeps = {}): Promise<JwtVerifier> {
  const now = deps.now ?? Date.now
  const staticKeys = await importStaticKeys(config.static_keys ?? [], config.algorithms)
  const remote =
    config.jwks_url === undefined
      ? undefined
      : createRemoteKeys({ ...config, jwks_url: config.jwks_url }, deps.fetch)
  const cache =
    config.verify_cache_s > 0
      ? createVerifiedTokenCache({
          ttlMs: config.verify_cache_s * 1000,
          maxEntries: config.verify_cache_max_entries,
        })
      : undefined
  const toPrincipal = createClaimMapper(config)
  const allowed = new Set<string>(config.algorithms)

  const options = (): JWTVerifyOptions => ({
    algorithms: config.algorithms,
    clockTolerance: config.clock_tolerance_s,
    currentDate: new Date(now()),
    ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
    ...(config.audience === undefined ? {} : { audience: config.audience }),
  })

  async function checkSignatureAndClaims(token: string): Promise<JWTPayload> {
    let header: ReturnType<typeof decodeProtectedHeader>
    try {
      header = decodeProtectedHeader(token)
    } catch {
      throw malformed()
    }
    // Refused before any key lookup: `alg: none`, or HS256 forged with the RSA public key as its HMAC
    // secret (RFC 8725 §2.1, §3.1), never reaches a key or triggers a JWKS fetch.
    const alg = header.alg
    if (typeof alg !== 'string' || !allowed.has(alg)) throw algorithmRefused(config.algorithms)
    const candidates = keysFor(staticKeys, alg, typeof header.kid === 'string' ? header.kid : undefined)
    let failure: unknown = new JwtError('unknown_key', 'no configured key matches the JWT’s alg and kid')
    for (const { key } of candidates) {
      try {
        return (await jwtVerify(token, key, options())).payload
      } catch (err) {
        if (!(err instanceof jose.JWSSignatureVerificationFailed)) throw err
        failure = err
      }
    }
    // Not a configured key: the IdP's JWKS, which holds asymmetric keys only.
    if (remote !== undefined && !alg.startsWith('HS')) {
      return (await jwtVerify(token, remote, options())).payload
    }
    throw failure
  }

  return {
    async verify(token) {
      if (token.length > MAX_JWT_CHARS) throw malformed()
      const key = cache === undefined ? '' : tokenCacheKey(token)
      const hit = cache?.get(key, now())
      if (hit !== undefined) return hit
      let payload: JWTPayload
      try {
        payload = await checkSignatureAndClaims(token)
      } catch (err) {
        throw toJwtError(err, config.algorithms)
      }
      const principal = toPrincipal(payload)
      cache?.set(key, principal, now())
      return principal
    },
  }
}

/** Reads tenant, roles and user from a verified payload, per the configured claim names. */
function createClaimMapper(config: JwtConfig): (payload: JWTPayload) => JwtPrincipal {
  const tenantAt = claimReader(config.tenant_claim)
  const rolesAt = claimReader(config.roles_claim)
  const userAt = claimReader(config.user_claim)
  const defaultRoles = config.default_role === undefined ? [] : [config.default_role]
  return function toPrincipal(payload) {
    const tenant = tenantAt(payload)
    if (tenant === undefined || tenant === null || tenant === '') {
      throw new JwtError(
        'claim_missing',
        `the JWT has no "${config.tenant_claim}" claim to name its tenant (auth.jwt.tenant_claim)`,
      )
    }
    const roles = rolesAt(payload)
    const user = userAt(payload)
    return {
      tenant: asText(tenant, config.tenant_claim),
      roles: roles === undefined ? [...defaultRoles] : asRoles(roles, config.roles_claim),
      user: user === undefined ? undefined : asText(user, config.user_claim),
      expiresAtMs: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
    }
  }
}

/**
 * A claim by name or dotted path. The exact name is tried first: namespaced claims such as
 * `https://example.com/tenant` (Auth0's convention) contain dots but are one top-level claim.
 */
function claimReader(path: string): (payload: JWTPayload) => unknown {
  const segments = path.split('.')
  return (payload) => {
    if (Object.hasOwn(payload, path)) return payload[path]
    let value: unknown = payload
    for (const segment of segments) {
      if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined
      value = (value as Record<string, unknown>)[segment]
    }
    return value
  }
}

function asText(value: unknown, claim: string): string {
  if (typeof value === 'string' && value !== '') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  throw new JwtError('claim_invalid', `the JWT's "${claim}" claim must be a non-empty string`)
}

/** A list of strings, or one space-separated string as OAuth's `scope` (RFC 8693 §4.2). */
function asRoles(value: unknown, claim: string): string[] {
  if (typeof value === 'string') return value.split(' ').filter((role) => role !== '')
  if (Array.isArray(value) && value.every((role) => typeof role === 'string')) return [...value]
  throw new JwtError('claim_invalid', `the JWT's "${claim}" claim must be a list of strings or a string`)
}

const malformed = (): JwtError => new JwtError('malformed', 'the bearer token is not a well-formed JWT')
const algorithmRefused = (allowed: readonly string[]): JwtError =>
  new JwtError('algorithm', `the JWT's signing algorithm is not accepted (accepted: ${allowed.join(', ')})`)

/**
 * jose's errors, as reasons with caller-safe messages. The claim errors carry the payload, so they
 * are not kept as `cause`: it would put claims (emails, names) into error logs.
 */
function toJwtError(err: unknown, allowed: readonly string[]): JwtError {
  if (err instanceof JwtError) return err
  if (err instanceof jose.JWTExpired) return new JwtError('expired', 'the JWT has expired')
  if (err instanceof jose.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'iss':
        return new JwtError('issuer', 'the JWT was issued by an issuer this gateway does not accept')
      case 'aud':
        return new JwtError('audience', 'the JWT is not meant for this gateway (audience)')
      case 'nbf':
        return new JwtError('not_yet_valid', 'the JWT is not valid yet (nbf)')
      default:
        return err.reason === 'missing'
          ? new JwtError('claim_missing', `the JWT has no "${err.claim}" claim`)
          : new JwtError('claim_invalid', `the JWT's "${err.claim}" claim is invalid`)
    }
  }
  if (err instanceof jose.JOSEAlgNotAllowed || err instanceof jose.JOSENotSupported)
    return algorithmRefused(allowed)
  if (err instanceof jose.JWSSignatureVerificationFailed) {
    return new JwtError('invalid_signature', 'the JWT signature does not verify')
  }
  if (err instanceof jose.JWKSNoMatchingKey) {
    return new JwtError(
      'unknown_key',
      'the JWT is signed with a key (kid) the identity provider does not publish',
    )
  }
  if (err instanceof jose.JWKSMultipleMatchingKeys) {
    return new JwtError('unknown_key', 'several published keys match the JWT; the token needs a kid header')
  }
  if (err instanceof jose.JOSEError) return malformed()
  return new JwtError('malformed', 'the bearer token could not be verified', { cause: err })
}
