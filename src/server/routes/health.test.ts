import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { registerHealthRoutes } from './health.js'

function app(deps: { draining?: boolean; ready?: () => Promise<void> }) {
  const fastify = Fastify({ logger: false })
  registerHealthRoutes(fastify, {
    isDraining: () => deps.draining ?? false,
    isReady: deps.ready ?? (async () => {}),
  })
  return fastify
}

describe('health routes', () => {
  it('/readyz is 200 when the store answers', async () => {
    const res = await app({}).inject({ url: '/readyz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ready' })
  })

  it('/readyz is 503 while the store is unreachable, without the store’s error text', async () => {
    const res = await app({
      ready: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.9:5432')),
    }).inject({ url: '/readyz' })
    expect(res.statusCode).toBe(503)
    expect(res.json()).toEqual({ status: 'unavailable', reason: 'store' })
    expect(res.body).not.toContain('ECONNREFUSED')
  })

  it('/readyz is 503 while draining, /healthz stays 200', async () => {
    const draining = app({ draining: true })
    expect((await draining.inject({ url: '/readyz' })).statusCode).toBe(503)
    expect((await draining.inject({ url: '/healthz' })).statusCode).toBe(200)
  })
})
