import { createHmac, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { TestGateway } from '../helpers/gateway.js'
import { testRedis } from '../helpers/redis.js'
import { parseStream, postWithTrailers } from '../helpers/sse.js'
import { admin, chat, createKey, startAccessGateway } from './access-helpers.js'

const redis = await testRedis()
if ('skip' in redis) console.warn(redis.skip)
afterAll(async () => {
  if (!('skip' in redis)) await redis.clean()
})

// $0.01 per token in and out: a short call costs cents, easy to reason about.
const PRICEY = { pricey: { provider: 'sim', price: { input: 10_000, output: 10_000 } } }
const models = {
  small: { provider: 'sim', price: { input: 1, output: 2 } },
  large: { provider: 'sim', price: { input: 10, output: 30 } },
  ...PRICEY,
}

const backends = [
  { name: 'in-process', config: () => ({}) },
  {
    name: 'redis',
    skip: 'skip' in redis ? redis.skip : undefined,
    config: () =>
      'skip' in redis
        ? {}
        : { redis: { url: redis.url, key_prefix: `${redis.prefix}${randomBytes(3).toString('hex')}:` } },
  },
]

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`budgets (${backend.name})`, () => {
    let gateway: TestGateway
    afterEach(async () => {
      await gateway?.close()
    })

    it('reports the cost of each call and refuses once the hard budget cannot cover the estimate', async () => {
      gateway = await startAccessGateway({ ...backend.config(), models })
      const { key } = await createKey(gateway, { tenant: 'globex', name: 'a', budget: { daily_usd: 2 } })
      const first = await chat(gateway, key, { model: 'pricey', max_tokens: 20 })
      expect(first.status).toBe(200)
      const { prompt_tokens, completion_tokens } = first.json.usage
      expect(Number(first.headers.get('x-gatehouse-cost-usd'))).toBeCloseTo(
        (prompt_tokens + completion_tokens) * 0.01,
        9,
      )
      let spent = Number(first.headers.get('x-gatehouse-cost-usd'))
      let refused: Awaited<ReturnType<typeof chat>> | undefined
      for (let i = 0; i < 20 && !refused; i++) {
        const res = await chat(gateway, key, { model: 'pricey', max_tokens: 20 })
        if (res.status === 200) spent += Number(res.headers.get('x-gatehouse-cost-usd'))
        else refused = res
      }
      expect(refused?.status).toBe(429)
      expect(refused?.json.error.code).toBe('budget_exceeded')
      expect(refused?.json.error.type).toBe('insufficient_quota')
      expect(refused?.json.error.message).toContain('daily budget')
      expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(spent).toBeLessThanOrEqual(2)
      expect(await (await fetch(`${gateway.url}/metrics`)).text()).toContain(
        'gatehouse_rejections_total{reason="budget",scope="key"} 1',
      )
      // Cheaper calls that still fit go through.
      expect((await chat(gateway, key, { model: 'small', max_tokens: 5 })).status).toBe(200)
    })

    it('never overspends under many parallel calls (pessimistic reservations)', async () => {
      gateway = await startAccessGateway({
        ...backend.config(),
        models,
        tenants: { acme: { budget: { daily_usd: 3 } }, globex: {} },
      })
      const { key } = await createKey(gateway, { tenant: 'acme', name: 'a', models: ['pricey'] })
      const results = await Promise.all(
        Array.from({ length: 40 }, () => chat(gateway, key, { model: 'pricey', max_tokens: 20 })),
      )
      const ok = results.filter((r) => r.status === 200)
      const costs = ok.map((r) => Number(r.headers.get('x-gatehouse-cost-usd')))
      const spent = costs.reduce((a, b) => a + b, 0)
      console.info(
        `budget (${backend.name}): 40 parallel calls, ${ok.length} served, ${results.length - ok.length} refused, ` +
          `spent $${spent.toFixed(4)} of $3`,
      )
      expect(ok.length).toBeGreaterThan(0)
      expect(results.every((r) => r.status === 200 || r.json.error.code === 'budget_exceeded')).toBe(true)
      expect(spent).toBeLessThanOrEqual(3)
      const status = await admin(gateway, 'GET', '/budgets')
      const tenant = status.json.data.find((b: { scope: string }) => b.scope === 'tenant')
      await expect
        .poll(async () => (await admin(gateway, 'GET', '/budgets')).json.data[0].periods[0].spent_usd)
        .toBeCloseTo(spent, 6)
      expect(tenant.periods[0]).toMatchObject({ limit_usd: 3 })
    })
  })
}

describe('budget alerts and persistence', () => {
  let gateway: TestGateway
  let hook: Server
  const received: Array<{ body: string; signature: string | undefined }> = []
  let failFirst = true
  afterEach(async () => {
    await gateway?.close()
    await new Promise((r) => hook?.close(r))
  })

  async function startHook(): Promise<string> {
    received.length = 0
    hook = createServer((req, res) => {
      let body = ''
      req.on('data', (d) => (body += d))
      req.on('end', () => {
        if (failFirst) {
          failFirst = false
          res.writeHead(503).end()
          return
        }
        received.push({ body, signature: req.headers['x-gatehouse-signature'] as string | undefined })
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r))
    return `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`
  }

  it('sends signed webhook alerts as spend crosses 50/80/100%, retrying a failed delivery', async () => {
    const url = await startHook()
    gateway = await startAccessGateway({
      models,
      tenants: { acme: { budget: { daily_usd: 1, hard: false } }, globex: {} },
      alerts: { webhooks: [{ url, secret: 'whsec-test-0123456789' }], initial_backoff_ms: 20 },
    })
    const { key } = await createKey(gateway, { tenant: 'acme', name: 'a' })
    // Soft budget: calls go on past 100%; each pricey call costs about $0.2-0.3.
    for (let i = 0; i < 12; i++) {
      expect((await chat(gateway, key, { model: 'pricey', max_tokens: 5 })).status).toBe(200)
    }
    await expect.poll(() => received.length, { timeout: 5000 }).toBe(3)

    // The 50% alert's first delivery failed, so its retry may arrive after the 80% one.
    const alerts = received.map((r) => JSON.parse(r.body)).sort((a, b) => a.threshold - b.threshold)
    expect(alerts.map((a) => a.threshold)).toEqual([0.5, 0.8, 1])
    expect(alerts[0]).toMatchObject({
      event: 'budget.threshold',
      tenant: 'acme',
      scope: 'tenant',
      limit_usd: 1,
    })
    for (const { body, signature } of received) {
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature ?? '') ?? []
      expect(v1).toBe(createHmac('sha256', 'whsec-test-0123456789').update(`${t}.${body}`).digest('hex'))
    }
    expect(gateway.logs.filter((l) => l['msg'] === 'alert: budget.threshold')).toHaveLength(3)
  })

  it('keeps spend across a restart (the store), so a budget is not reset by redeploying', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-budget-'))
    const config = {
      models,
      store: { url: `sqlite:${join(dir, 'g.db')}` },
      keys: [{ name: 'k', tenant: 'globex', key: 'budget-test-key-0123456789', budget: { daily_usd: 1 } }],
    }
    try {
      gateway = await startAccessGateway(config)
      let served = 0
      while (
        (await chat(gateway, 'budget-test-key-0123456789', { model: 'pricey', max_tokens: 5 })).status === 200
      )
        served++
      expect(served).toBeGreaterThan(0)
      await gateway.close()
      gateway = await startAccessGateway(config)
      const after = await chat(gateway, 'budget-test-key-0123456789', { model: 'pricey', max_tokens: 5 })
      expect(after.status).toBe(429)
      expect(after.json.error.code).toBe('budget_exceeded')
    } finally {
      await gateway.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('puts the cost in the last usage chunk of a stream and in an HTTP trailer', async () => {
    gateway = await startAccessGateway({ models })
    const { key } = await createKey(gateway, { tenant: 'globex', name: 'a' })
    const { body, trailers } = await postWithTrailers(`${gateway.baseURL}/chat/completions`, key, {
      model: 'large',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
    })
    const chunks = parseStream(body)
      .events.filter((e) => e.startsWith('data: {'))
      .map((e) => JSON.parse(e.slice(6)))
    const usage = chunks.at(-1).usage
    const expected = (usage.prompt_tokens * 10 + usage.completion_tokens * 30) / 1e6
    expect(usage.cost_usd).toBeCloseTo(expected, 12)
    expect(Number(trailers['x-gatehouse-cost-usd'])).toBeCloseTo(expected, 12)
  })
})
