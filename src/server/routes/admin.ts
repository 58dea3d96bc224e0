import type { FastifyInstance } from 'fastify'
import { GatewayError } from '../../errors.js'
import type { RoutingDeps } from '../../routing/routing-deps.js'
import type { Runtime } from '../../runtime.js'
import { bearerToken, isKey } from '../admin-auth.js'

export interface AdminRouteDeps {
  runtime: () => Runtime
  routing: RoutingDeps
}

/**
 * The admin plane. Until tenants and roles arrive, one key (`admin.api_key`) guards it; without
 * that key configured the admin API is off.
 */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): void {
  app.register(
    async (admin) => {
      admin.addHook('onRequest', async function requireAdmin(request) {
        const key = deps.runtime().config.admin.api_key
        if (key === undefined)
          throw new GatewayError('forbidden', 'The admin API is disabled: set admin.api_key in the config.')
        if (!isKey(bearerToken(request.headers), key)) {
          throw new GatewayError(
            'unauthenticated',
            'An admin key is required: Authorization: Bearer <admin.api_key>.',
          )
        }
      })

      /** Circuit breaker state per configured target. */
      admin.get('/breakers', async function listBreakers() {
        const { models, routing } = deps.runtime().config
        const data = Object.keys(models).map((target) => ({
          target,
          ...deps.routing.breakers.get(target, routing.breaker).snapshot(),
          in_flight: deps.routing.stats.inFlight(target),
          latency_ms: round(deps.routing.stats.latencyMs(target)),
        }))
        return { object: 'list', data }
      })
    },
    { prefix: '/admin' },
  )
}

function round(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.round(ms * 10) / 10
}
