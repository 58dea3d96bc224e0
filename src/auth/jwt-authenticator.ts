import { ROLES, type Role } from '../config/access-schema.js'
import { GatewayError } from '../errors.js'
import { JwtError } from './jwt-error.js'
import type { JwtVerifier } from './jwt-verifier.js'
import { looksLikeJwt } from './looks-like-jwt.js'
import type { Principal } from './principal.js'

// When a token carries several roles, the one with the most reach decides.
const PRECEDENCE: readonly Role[] = ['admin', 'user', 'finops', 'auditor']

/**
 * Bearer JWTs from the organisation's identity provider: the tenant and roles come from claims
 * (`auth.jwt.tenant_claim`, `roles_claim`). A token that is not JWT-shaped is left to the other
 * authenticators; a JWT that fails verification is refused with the reason (never the token).
 */
export function jwtAuthenticator(verifier: JwtVerifier) {
  return async function authenticateJwt(token: string): Promise<Principal | undefined> {
    if (!looksLikeJwt(token)) return undefined
    try {
      const claims = await verifier.verify(token)
      const known = claims.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r))
      const role = PRECEDENCE.find((r) => known.includes(r)) ?? 'user'
      return {
        keyId: `jwt:${claims.user ?? 'anonymous'}`,
        keyName: claims.user ?? 'jwt',
        tenant: claims.tenant,
        role,
        user: claims.user,
      }
    } catch (err) {
      if (!(err instanceof JwtError)) throw err
      if (err.reason === 'jwks_unavailable') {
        throw new GatewayError(
          'auth_unavailable',
          'The identity provider cannot be reached to verify the token; try again shortly.',
          {
            retryAfterS: 5,
          },
        )
      }
      throw new GatewayError('unauthenticated', `Invalid token: ${err.message}`)
    }
  }
}
