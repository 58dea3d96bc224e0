import { createPublicKey } from 'node:crypto'
import { z } from 'zod'
import { Secret } from '../config/secret.js'

/** Signature algorithms a JWT may use; `none` is never among them. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const
export const JWT_ALGORITHMS = [...ASYMMETRIC_ALGORITHMS, ...HMAC_ALGORITHMS] as const
/** What IdPs sign with in practice; HS* join only when a shared secret is configured. */
export const DEFAULT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const

export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number]

const isHmac = (alg: string): boolean => alg.startsWith('HS')

const PEM_HEADER = /^-----BEGIN ([A-Z0-9 ]+)-----/

/** An SPKI public key (`BEGIN PUBLIC KEY`) or an X.509 certificate (`BEGIN CERTIFICATE`). */
const pemKey = z
  .string()
  .trim()
  .superRefine((pem, ctx) => {
    const label = PEM_HEADER.exec(pem)?.[1]
    if (label?.includes('PRIVATE')) {
      ctx.addIssue({
        code: 'custom',
        message:
          'this is a private key; configure its public half (openssl pkey -in key.pem -pubout) and keep the private key with the issuer',
      })
      return
    }
    if (label !== 'PUBLIC KEY' && label !== 'CERTIFICATE') {
      ctx.addIssue({
        code: 'custom',
        message:
          'expected a PEM public key (-----BEGIN PUBLIC KEY-----) or certificate, a JWK, or { secret }',
      })
      return
    }
    try {
      createPublicKey(pem)
    } catch {
      ctx.addIssue({ code: 'custom', message: `the PEM ${label.toLowerCase()} does not parse` })
    }
  })

/** A public JWK as an IdP publishes it; private (`d`) and symmetric (`oct`) keys are refused. */
const jwkKey = z
  .looseObject({
    kty: z.enum(['RSA', 'EC', 'OKP']),
    kid: z.string().min(1).optional(),
    alg: z.enum(ASYMMETRIC_ALGORITHMS).optional(),
    use: z.literal('sig', { error: 'use: a JWT verification key must have use "sig"' }).optional(),
  })
  .refine((jwk) => !('d' in jwk), {
    message: 'this JWK holds a private key ("d"); configure the public JWK only',
  })

/** An HMAC shared secret. RFC 7518 §3.2: an HS256 key must be at least 256 bits. */
const sharedSecret = z.strictObject({
  secret: z
    .string()
    .min(32, 'at least 32 characters (RFC 7518 §3.2: an HS256 key must be at least 256 bits)')
    .transform((value) => new Secret(value)),
  kid: z.string().min(1).optional(),
})

const staticKey = z.union([pemKey, sharedSecret, jwkKey], {
  error:
    'expected a PEM public key, a public JWK (kty RSA, EC or OKP) or { secret: ... } ' +
    '(an HMAC key goes in { secret } so it stays redacted, never in an oct JWK)',
})

const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])

const claimPath = z
  .string()
  .min(1)
  .regex(/^[^.]+(\.[^.]+)*$/, 'a claim name or a dotted path such as org.id (no empty segments)')

/**
 * `auth.jwt`: bearer JWTs from an OIDC identity provider (or signed with static keys), mapped to a
 * tenant and roles. Algorithms default to the asymmetric ones IdPs use, plus HS* when a shared
 * secret is configured, so an RSA public key can never be replayed as an HMAC secret.
 */
export const jwtSchema = z
  .strictObject({
    /** The IdP's JWKS endpoint, e.g. `https://idp.example.com/.well-known/jwks.json`. */
    jwks_url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
    /** PEM public keys or certificates, public JWKs, or `{ secret }` for HS256/384/512. */
    static_keys: z.array(staticKey).min(1, 'give at least one key, or leave static_keys out').optional(),
    /** Accepted `iss` values; unset accepts any issuer the keys can vouch for. */
    issuer: oneOrMany.optional(),
    /** Accepted `aud` values (one match is enough); set it so tokens minted for other apps fail. */
    audience: oneOrMany.optional(),
    algorithms: z.array(z.enum(JWT_ALGORITHMS)).min(1).optional(),
    /** Claim holding the tenant; a dotted path reaches into objects (`org.id`). */
    tenant_claim: claimPath.default('tenant'),
    /** Claim holding the roles: a list, or a space-separated string as in OAuth `scope`. */
    roles_claim: claimPath.default('roles'),
    user_claim: claimPath.default('sub'),
    /** Role given when the token has no roles claim. */
    default_role: z.string().min(1).optional(),
    /** Leeway for `exp`, `nbf` and `iat` against clock skew between the IdP and us. */
    clock_tolerance_s: z.number().int().min(0).max(600).default(30),
    /** How long a fetched JWKS is used before it is fetched again. */
    jwks_cache_s: z.number().int().min(0).default(600),
    /** After a fetch, an unknown `kid` waits this long before the next refetch (protects the IdP). */
    jwks_cooldown_s: z.number().int().min(0).default(30),
    jwks_timeout_ms: z.number().int().min(1).max(60_000).default(5_000),
    /** How long a verified token is remembered (never past its `exp`); 0 verifies every request. */
    verify_cache_s: z.number().int().min(0).max(3_600).default(60),
    verify_cache_max_entries: z.number().int().min(1).max(1_000_000).default(10_000),
  })
  .superRefine((jwt, ctx) => {
    if (jwt.jwks_url === undefined && jwt.static_keys === undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          'set jwks_url (your IdP’s JWKS endpoint, e.g. https://idp.example.com/.well-known/jwks.json) ' +
          'or static_keys (PEM or JWK public keys, or { secret } for HS256)',
      })
    }
    const secretAt = (jwt.static_keys ?? []).findIndex((key) => key instanceof Object && 'secret' in key)
    const hmacListed = jwt.algorithms?.filter(isHmac) ?? []
    if (secretAt === -1 && hmacListed.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['algorithms'],
        message: `${hmacListed.join(', ')} needs a shared secret: add { secret: \${JWT_SECRET} } to static_keys, or remove it`,
      })
    }
    if (secretAt !== -1 && jwt.algorithms !== undefined && hmacListed.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['static_keys', secretAt],
        message: 'a shared secret is only used with HS256, HS384 or HS512: add one to algorithms',
      })
    }
  })
  .transform(({ algorithms, ...jwt }) => {
    const hasSecret = jwt.static_keys?.some((key) => key instanceof Object && 'secret' in key) ?? false
    const resolved: JwtAlgorithm[] = algorithms ?? [
      ...DEFAULT_ALGORITHMS,
      ...(hasSecret ? HMAC_ALGORITHMS : []),
    ]
    return { ...jwt, algorithms: resolved }
  })

export type JwtConfig = z.infer<typeof jwtSchema>
export type JwtStaticKey = z.infer<typeof staticKey>
