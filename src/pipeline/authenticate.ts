import type { AccessTable } from '../auth/access-table.js'
import type { Principal } from '../auth/principal.js'
import { canCallModels } from '../auth/principal.js'
import type { ResolvedConfig } from '../config/load.js'
import { GatewayError } from '../errors.js'
import type { Stage } from './stage.js'

/** Anything that can turn a bearer token into a principal (virtual keys, JWTs). */
export type Authenticator = (token: string) => Promise<Principal | undefined>

/** Authenticate: the caller's token decides who calls and for which tenant (see resolveCaller). */
export const authenticate = (): Stage => ({
  name: 'authenticate',
  async run(ctx, next) {
    ctx.principal = await ctx.runtime.caller(ctx.credential)
    ctx.tenant = ctx.principal.tenant
    if (ctx.principal.user !== undefined) ctx.meta.user ??= ctx.principal.user
    return next()
  },
})

/**
 * Who calls the data plane with `token`: config keys first (a map lookup), then the store's
 * virtual keys, then the other authenticators configured (JWT). With `auth.mode: none` every call
 * is the default tenant's (development only; warned at start). Throws 401, or 403 for a key whose
 * role is for the admin plane only.
 */
export async function resolveCaller(
  token: string | undefined,
  config: Pick<ResolvedConfig, 'auth'>,
  access: AccessTable,
  authenticators: readonly Authenticator[],
): Promise<Principal> {
  if (config.auth.mode === 'none') {
    return { keyId: 'none', keyName: 'none', tenant: config.auth.default_tenant, role: 'admin' }
  }
  if (token === undefined || token === '') {
    throw new GatewayError(
      'unauthenticated',
      'You did not provide an API key: send Authorization: Bearer <key> (or x-api-key: <key>).',
    )
  }
  const principal = await identify(token, access, authenticators)
  if (!principal) throw new GatewayError('unauthenticated', 'Incorrect, expired or revoked API key.')
  if (!canCallModels(principal.role)) {
    throw new GatewayError(
      'forbidden',
      `The key '${principal.keyName}' has the ${principal.role} role, which is for the admin API only.`,
    )
  }
  return principal
}

/**
 * Who a token stands for, whatever the plane: a config key (a map lookup), else the first
 * authenticator that recognises it (virtual keys, then JWTs). Undefined when nobody does.
 */
export async function identify(
  token: string,
  access: AccessTable,
  authenticators: readonly Authenticator[],
): Promise<Principal | undefined> {
  const configKey = access.configKey(token, Date.now())
  if (configKey) return configKey
  for (const authenticate of authenticators) {
    const principal = await authenticate(token)
    if (principal) return principal
  }
  return undefined
}
