import type { Principal } from '../auth/principal.js'
import { canCallModels } from '../auth/principal.js'
import { GatewayError } from '../errors.js'
import type { Runtime } from '../runtime.js'
import type { Stage } from './stage.js'

/** Anything that can turn a bearer token into a principal (virtual keys, JWTs). */
export type Authenticator = (token: string) => Promise<Principal | undefined>

/**
 * Authenticate: the caller's token decides who calls and for which tenant. Config keys first (a
 * map lookup), then the store's virtual keys, then the authenticators configured (JWT). With
 * `auth.mode: none` every call is the default tenant's (development only; warned at start).
 */
export const authenticate = (authenticators: readonly Authenticator[]): Stage => ({
  name: 'authenticate',
  async run(ctx, next) {
    ctx.principal = await callerPrincipal(ctx.credential, ctx.runtime, authenticators)
    ctx.tenant = ctx.principal.tenant
    if (ctx.principal.user !== undefined) ctx.meta.user ??= ctx.principal.user
    return next()
  },
})

/**
 * The principal a data-plane token stands for, or the error to answer: shared by the pipeline and
 * the data-plane endpoints outside it (`POST /v1/feedback`).
 */
export async function callerPrincipal(
  token: string | undefined,
  runtime: Runtime,
  authenticators: readonly Authenticator[],
): Promise<Principal> {
  const { auth } = runtime.config
  if (auth.mode === 'none') {
    return { keyId: 'none', keyName: 'none', tenant: auth.default_tenant, role: 'admin' }
  }
  if (token === undefined || token === '') {
    throw new GatewayError(
      'unauthenticated',
      'You did not provide an API key: send Authorization: Bearer <key> (or x-api-key: <key>).',
    )
  }
  const principal = await principalFor(token, runtime.access.configKey(token, Date.now()), authenticators)
  if (!principal) throw new GatewayError('unauthenticated', 'Incorrect, expired or revoked API key.')
  if (!canCallModels(principal.role)) {
    throw new GatewayError(
      'forbidden',
      `The key '${principal.keyName}' has the ${principal.role} role, which is for the admin API only.`,
    )
  }
  return principal
}

async function principalFor(
  token: string,
  configKey: Principal | undefined,
  authenticators: readonly Authenticator[],
): Promise<Principal | undefined> {
  if (configKey) return configKey
  for (const authenticate of authenticators) {
    const principal = await authenticate(token)
    if (principal) return principal
  }
  return undefined
}
