import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { TestGateway } from '../helpers/gateway.js'
import { testRedis } from '../helpers/redis.js'
import { chat, createKey, startAccessGateway } from './access-helpers.js'

const redis = await testRedis()
if ('skip' in redis) console.warn(redis.skip)

/** The same limits, enforced in process and through Redis. */
const backends = [
  { name: 'in-process', config: () => ({}) },
  {
    name: 'redis',
    skip: 'skip' in redis ? redis.skip : undefined,
    // A prefix per gateway: tests in one run never share buckets.
    config: () =>
      'skip' in redis
        ? {}
        : { redis: { url: redis.url, key_prefix: `${redis.prefix}${randomBytes(3).toString('hex')}:` } },
  },
]

afterAll(async () => {
  if (!('skip' in redis)) await redis.clean()
})

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`rate limits (${backend.name})`, () => {
    let gateway: TestGateway
    afterEach(async () => {
      await gateway?.close()
    })

    it('refuses the request past a key rpm with 429, Retry-After and OpenAI x-ratelimit headers', async () => {
      gateway = await startAccessGateway(backend.config())
      const { key } = await createKey(gateway, { tenant: 'acme', name: 'a', limits: { rpm: 3 } })
      const remaining: string[] = []
      for (let i = 0; i < 3; i++) {
        const res = await chat(gateway, key)
        expect(res.status).toBe(200)
        expect(res.headers.get('x-ratelimit-limit-requests')).toBe('3')
        remaining.push(res.headers.get('x-ratelimit-remaining-requests')!)
      }
      expect(remaining).toEqual(['2', '1', '0'])
      const refused = await chat(gateway, key)
      expect(refused.status).toBe(429)
      expect(refused.json.error.code).toBe('rate_limit_exceeded')
      expect(refused.json.error.message).toContain('3 requests per minute')
      const retryAfter = Number(refused.headers.get('retry-after'))
      expect(retryAfter).toBeGreaterThanOrEqual(1)
      expect(retryAfter).toBeLessThanOrEqual(20)
      expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0')
      expect(refused.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d)?s$|^\d+ms$/)
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text()
      expect(metrics).toContain('gatehouse_rejections_total{reason="rate_limit",scope="key"} 1')
      // Another key of the same tenant has its own bucket.
      const other = await createKey(gateway, { tenant: 'acme', name: 'b', limits: { rpm: 3 } })
      expect((await chat(gateway, other.key)).status).toBe(200)
    })

    it('shares a tenant limit between its keys, and a global one between tenants', async () => {
      gateway = await startAccessGateway({
        ...backend.config(),
        tenants: { acme: { limits: { rpm: 2 } }, globex: {} },
        limits: { global: { rpm: 4 } },
      })
      const a = await createKey(gateway, { tenant: 'acme', name: 'a' })
      const b = await createKey(gateway, { tenant: 'acme', name: 'b' })
      const g = await createKey(gateway, { tenant: 'globex', name: 'g' })
      expect((await chat(gateway, a.key)).status).toBe(200)
      expect((await chat(gateway, b.key)).status).toBe(200)
      const tenantFull = await chat(gateway, a.key)
      expect(tenantFull.status).toBe(429)
      expect(tenantFull.json.error.message).toContain('tenant acme')
      expect((await chat(gateway, g.key)).status).toBe(200)
      expect((await chat(gateway, g.key)).status).toBe(200)
      const globalFull = await chat(gateway, g.key)
      expect(globalFull.status).toBe(429)
      expect(globalFull.json.error.message).toContain('global')
    })

    it('counts tokens up front and reconciles them with the reported usage', async () => {
      gateway = await startAccessGateway(backend.config())
      const { key } = await createKey(gateway, { tenant: 'acme', name: 'a', limits: { tpm: 1000 } })
      // Estimated: 900 output tokens asked + ~20 of prompt; used: a few dozen. The refund after the
      // first call is what lets the second one in.
      const first = await chat(gateway, key, { max_tokens: 900 })
      expect(first.status).toBe(200)
      expect(Number(first.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(100)
      const second = await chat(gateway, key, { max_tokens: 900 })
      expect(second.status).toBe(200)
      const usedBoth = first.json.usage.total_tokens + second.json.usage.total_tokens
      const third = await chat(gateway, key, { max_tokens: 10 })
      expect(third.status).toBe(200)
      expect(Number(third.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThanOrEqual(1000 - usedBoth)
      const tooMuch = await chat(gateway, key, { max_tokens: 990 })
      expect(tooMuch.status).toBe(429)
      expect(tooMuch.json.error.message).toContain('tokens per minute')
    })

    it('limits requests in flight and frees the slot when a call ends', async () => {
      gateway = await startAccessGateway(backend.config())
      const { key } = await createKey(gateway, { tenant: 'acme', name: 'a', limits: { concurrency: 1 } })
      const slow = fetch(`${gateway.baseURL}/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${key}`,
          'x-gatehouse-simulate': 'latency_ms=400',
        },
        body: JSON.stringify({ model: 'small', messages: [{ role: 'user', content: 'slow' }] }),
      })
      await new Promise((r) => setTimeout(r, 100))
      const busy = await chat(gateway, key)
      expect(busy.status).toBe(429)
      expect(busy.json.error.message).toContain('in flight')
      expect((await slow).status).toBe(200)
      expect((await chat(gateway, key)).status).toBe(200)
    })

    it('limits a model for everyone', async () => {
      gateway = await startAccessGateway({ ...backend.config(), limits: { models: { small: { rpm: 1 } } } })
      const { key } = await createKey(gateway, { tenant: 'globex', name: 'a' })
      expect((await chat(gateway, key)).status).toBe(200)
      expect((await chat(gateway, key)).status).toBe(429)
      expect((await chat(gateway, key, { model: 'large' })).status).toBe(200)
    })
  })
}

describe('Redis unreachable', () => {
  let gateway: TestGateway
  afterEach(async () => {
    await gateway?.close()
  })
  // Port 1 on loopback refuses at once.
  const down = { redis: { url: 'redis://127.0.0.1:1', connect_timeout_ms: 200 } }

  it('fail-open (default): serves with this process limits, counts the errors and logs once', async () => {
    gateway = await startAccessGateway(down)
    const { key } = await createKey(gateway, { tenant: 'acme', name: 'a', limits: { rpm: 2 } })
    expect((await chat(gateway, key)).status).toBe(200)
    expect((await chat(gateway, key)).status).toBe(200)
    expect((await chat(gateway, key)).status).toBe(429)
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text()
    expect(Number(/gatehouse_redis_errors_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0)
    const warnings = gateway.logs.filter(
      (l) => l['msg'] === 'Redis unreachable for shared limits and budgets',
    )
    expect(warnings.length).toBeGreaterThanOrEqual(1)
    expect(warnings.length).toBeLessThanOrEqual(2)
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(503)
  })

  it('fail-closed: refuses limited calls with 503 limits_unavailable', async () => {
    gateway = await startAccessGateway({ ...down, limits: { on_redis_error: 'closed' } })
    const { key } = await createKey(gateway, { tenant: 'acme', name: 'a', limits: { rpm: 100 } })
    const res = await chat(gateway, key)
    expect(res.status).toBe(503)
    expect(res.json.error.code).toBe('limits_unavailable')
    expect(res.headers.get('retry-after')).toBe('1')
  })
})
