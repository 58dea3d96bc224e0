import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import type { Registry } from 'prom-client'
import type { KeyRing } from '../auth/key-ring.js'
import type { TenantDirectory } from '../auth/tenant-directory.js'
import type { Budgets } from '../budgets/budgets.js'
import { GatewayError } from '../errors.js'
import { requestIdFrom } from '../pipeline/ingress.js'
import type { RoutingDeps } from '../routing/routing-deps.js'
import type { Runtime } from '../runtime.js'
import type { Store } from '../store/store.js'
import { createUuidV7 } from './create-uuid-v7.js'
import { handleError, sendError } from './error-handler.js'
import type { InFlightRequests } from './in-flight-requests.js'
import { registerAdminRoutes } from './routes/admin.js'
import { registerAnthropicRoutes } from './routes/anthropic.js'
import { registerFeedbackRoutes } from './routes/feedback.js'
import { registerHealthRoutes } from './routes/health.js'
import { registerOpenAIRoutes } from './routes/openai.js'

export interface AppDeps {
  runtime: () => Runtime
  logger: FastifyBaseLogger
  bodyLimitBytes: number
  trustProxy: boolean
  isDraining: () => boolean
  /** Rejects when a dependency (the store) cannot serve. */
  isReady: () => Promise<void>
  inFlight: InFlightRequests
  routing: RoutingDeps
  metrics: Registry
  keys: KeyRing
  tenants: TenantDirectory
  budgets: Budgets
  store: Store
  /** Write queued request-log records now (feedback on a just-answered request). */
  flushLog: () => Promise<void>
  generateId?: () => string
  now?: () => number
}

/** The HTTP surface. Knows routes, headers and error shapes; the request path lives in `pipeline/`. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const generateId = deps.generateId ?? createUuidV7()
  const now = deps.now ?? Date.now
  const app = Fastify({
    loggerInstance: deps.logger,
    // The record stage writes one line per request; Fastify's own request lines would double it.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: (req) => requestIdFrom(req.headers['x-gatehouse-request-id'], generateId),
    bodyLimit: deps.bodyLimitBytes,
    trustProxy: deps.trustProxy,
    // Answer 503 to requests arriving while we drain, and close idle keep-alive sockets.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  })

  // A callback hook, not an async one: no promise and no extra microtask on every request.
  app.addHook('onRequest', function tagRequest(request, reply, done) {
    reply.header('x-gatehouse-request-id', request.id)
    done()
  })

  app.setErrorHandler(handleError)
  app.setNotFoundHandler(function unknownUrl(request, reply) {
    sendError(
      reply,
      new GatewayError(
        'not_found',
        `Unknown URL: ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}.`,
      ),
    )
  })

  registerHealthRoutes(app, { isDraining: deps.isDraining, isReady: deps.isReady })
  app.get('/metrics', async function metrics(_request, reply) {
    return reply.type(deps.metrics.contentType).send(await deps.metrics.metrics())
  })
  registerOpenAIRoutes(app, { runtime: deps.runtime, inFlight: deps.inFlight })
  registerAnthropicRoutes(app, { runtime: deps.runtime, inFlight: deps.inFlight })
  registerAdminRoutes(app, {
    runtime: deps.runtime,
    routing: deps.routing,
    keys: deps.keys,
    tenants: deps.tenants,
    budgets: deps.budgets,
    store: deps.store,
    now,
  })
  registerFeedbackRoutes(app, {
    runtime: deps.runtime,
    store: deps.store,
    flushLog: deps.flushLog,
    now,
    newId: randomUUID,
  })
  return app
}
