import { timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { Principal } from '../auth/principal.js'
import type { Role } from '../config/access-schema.js'
import type { Secret } from '../config/secret.js'
import { GatewayError } from '../errors.js'
import type { Runtime } from '../runtime.js'

/** The caller's key: `Authorization: Bearer <key>`, or `x-api-key` as Anthropic's SDK sends it. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim()
  const apiKey = headers['x-api-key']
  return typeof apiKey === 'string' ? apiKey : undefined
}

/** Constant-time comparison, so response timing does not reveal how much of a key matched. */
export function isKey(candidate: string | undefined, key: Secret): boolean {
  if (candidate === undefined) return false
  const a = Buffer.from(candidate)
  const b = Buffer.from(key.reveal())
  return a.length === b.length && timingSafeEqual(a, b)
}

/** `admin.api_key` is a bootstrap credential with the admin role over every tenant. */
export const BOOTSTRAP_ADMIN: Principal = {
  keyId: 'admin',
  keyName: 'admin.api_key',
  tenant: '*',
  role: 'admin',
}

/**
 * Who calls the admin plane, and whether their role may use this endpoint. `admin` may use every
 * endpoint; the others only the ones that list their role. A key of a tenant sees that tenant only.
 */
export async function adminPrincipal(
  headers: IncomingHttpHeaders,
  runtime: Runtime,
  roles: readonly Role[],
): Promise<Principal> {
  const token = bearerToken(headers)
  if (token === undefined || token === '') {
    throw new GatewayError('unauthenticated', 'An admin credential is required: Authorization: Bearer <key>.')
  }
  const adminKey = runtime.config.admin.api_key
  const principal =
    adminKey !== undefined && isKey(token, adminKey) ? BOOTSTRAP_ADMIN : await runtime.identify(token)
  if (!principal) throw new GatewayError('unauthenticated', 'Incorrect, expired or revoked admin credential.')
  if (principal.role !== 'admin' && !roles.includes(principal.role)) {
    const allowed = ['admin', ...roles.filter((r) => r !== 'admin')].join(' or ')
    throw new GatewayError(
      'forbidden',
      `This endpoint needs the ${allowed} role; the key '${principal.keyName}' has ${principal.role}.`,
    )
  }
  return principal
}
