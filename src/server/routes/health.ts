import type { FastifyInstance } from 'fastify'

export interface HealthDeps {
  isDraining: () => boolean
  isReady: () => Promise<void>
}

/**
 * `/healthz`: the process is alive. `/readyz`: it should receive traffic: not while draining,
 * and not while the store cannot be reached (the reason is logged, not returned).
 */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (request, reply) => {
    if (deps.isDraining()) return reply.code(503).send({ status: 'draining' })
    try {
      await deps.isReady()
    } catch (err) {
      request.log.warn({ err: (err as Error).message }, 'not ready: store unreachable')
      return reply.code(503).send({ status: 'unavailable', reason: 'store' })
    }
    return { status: 'ready' }
  })
}
