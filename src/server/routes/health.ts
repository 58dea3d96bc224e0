import type { FastifyInstance } from 'fastify'

export interface HealthDeps {
  isDraining: () => boolean
}

/** `/healthz`: the process is alive. `/readyz`: it should receive traffic (not while draining). */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    if (deps.isDraining()) return reply.code(503).send({ status: 'draining' })
    return { status: 'ready' }
  })
}
