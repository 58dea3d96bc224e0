import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { chat, seededRandom } from '../helpers/routing.js'

/**
 * Where traffic goes: weights, measured latency, in-flight counts, prices, context windows and
 * rules, over real sockets to the `simulated` provider (no network). Each test counts the model
 * that served (`x-gatehouse-model`) and reads the decision trace (`x-gatehouse-route-trace`).
 */

const say = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
})

/** How many answers each model served. */
function tally(models: Array<string | null>): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const model of models) counts[String(model)] = (counts[String(model)] ?? 0) + 1
  return counts
}

async function servedBy(gateway: TestGateway, body: Record<string, unknown>): Promise<string | null> {
  const res = await chat(gateway, body)
  expect(res.status).toBe(200)
  return res.headers.get('x-gatehouse-model')
}

describe('load distribution', () => {
  let gateway: TestGateway

  beforeAll(async () => {
    gateway = await startTestGateway(
      {
        providers: { sim: { kind: 'simulated' } },
        models: {
          heavy: { provider: 'sim' },
          light: { provider: 'sim' },
          'slow-a': { provider: 'sim', simulate: { latency_ms: 100 } },
          'slow-b': { provider: 'sim', simulate: { latency_ms: 100 } },
          premium: { provider: 'sim', price: { input: 10, output: 30 } },
          budget: { provider: 'sim', price: { input: 0.15, output: 0.6 } },
          unpriced: { provider: 'sim' },
          tiny: { provider: 'sim', context_window: 64 },
          small: { provider: 'sim', context_window: 128 },
          roomy: { provider: 'sim', context_window: 100_000 },
          'cloud-llm': { provider: 'sim' },
          'onprem-llm': { provider: 'sim' },
        },
        routes: {
          split: {
            strategy: 'weighted',
            targets: [
              { target: 'heavy', weight: 3 },
              { target: 'light', weight: 1 },
            ],
          },
          busy: { strategy: 'least-busy', targets: ['slow-a', 'slow-b'] },
          ordered: { targets: ['slow-a', 'slow-b'] },
          thrifty: { strategy: 'cheapest', targets: ['premium', 'unpriced', 'budget'] },
          quality: { targets: ['premium', 'budget'] },
          capped: { targets: ['premium', 'budget'], max_cost_usd: 0.001 },
          long: { targets: ['tiny', 'roomy'] },
          narrow: { targets: ['tiny', 'small'] },
          assistant: { targets: ['cloud-llm'] },
        },
        rules: [
          {
            name: 'confidential-stays-onprem',
            when: { min_sensitivity: 'confidential' },
            model: 'onprem-llm',
          },
        ],
        routing: { trace_header: true },
      },
      // Seeded, so the weighted split below is the same on every run.
      { routing: { random: seededRandom(20_240_601) } },
    )
  })
  afterAll(async () => {
    await gateway?.close()
  })

  it('splits a 3:1 weighted route about 3:1', async () => {
    const n = 400
    const served: Array<string | null> = []
    for (let i = 0; i < n; i++) served.push(await servedBy(gateway, say('split')))
    const counts = tally(served)
    // `heavy` is a binomial count: mean n * 3/4 = 300, standard deviation sqrt(n * 3/4 * 1/4) ≈ 8.7.
    // Four standard deviations (±35) would fail a correct implementation about once in 16,000
    // runs (the random source is seeded anyway), while an even split (200) or a 1:3 split falls
    // far outside.
    const sd = Math.sqrt(n * 0.75 * 0.25)
    expect(counts['heavy']! + counts['light']!).toBe(n)
    expect(Math.abs(counts['heavy']! - n * 0.75)).toBeLessThanOrEqual(4 * sd)
  })

  it('least-busy balances concurrent requests over slow targets; fallback sends them all to the first', async () => {
    const burst = (route: string) =>
      Promise.all(Array.from({ length: 20 }, () => servedBy(gateway, say(route))))
    const balanced = tally(await burst('busy'))
    // Each request starts on the target with fewer calls in flight, so the two stay within one.
    expect(Math.abs((balanced['slow-a'] ?? 0) - (balanced['slow-b'] ?? 0))).toBeLessThanOrEqual(2)
    expect(tally(await burst('ordered'))).toEqual({ 'slow-a': 20 })
  })

  it('cheapest picks the cheapest priced target and tries unpriced ones last', async () => {
    const res = await chat(gateway, say('thrifty'))
    expect(res.headers.get('x-gatehouse-model')).toBe('budget')
    expect(res.trace!.strategy).toBe('cheapest')
    expect(res.trace!.candidates.map((c) => c.target)).toEqual(['budget', 'premium', 'unpriced'])
    const [budget, premium] = res.trace!.candidates
    expect(budget!.costUsd).toBeLessThan(premium!.costUsd!)
  })

  it('downgrades a fallback route to the cheap model under x-gatehouse-max-cost-usd', async () => {
    const body = say('quality', { max_tokens: 100 })
    expect(await servedBy(gateway, body)).toBe('premium')
    // About 10 input tokens and 100 output: premium ≈ $0.0031, budget ≈ $0.00006.
    const res = await chat(gateway, body, { headers: { 'x-gatehouse-max-cost-usd': '0.001' } })
    expect(res.headers.get('x-gatehouse-model')).toBe('budget')
    expect(res.trace!.candidates).toEqual([
      { target: 'premium', skipped: 'over_cost_ceiling', costUsd: expect.any(Number) },
      { target: 'budget', costUsd: expect.any(Number) },
    ])
    expect(res.trace!.candidates[0]!.costUsd).toBeGreaterThan(0.001)
    // The route's own ceiling does the same without the header.
    expect(await servedBy(gateway, say('capped', { max_tokens: 100 }))).toBe('budget')
  })

  it('answers 400 cost_ceiling_exceeded when no target fits the ceiling', async () => {
    const res = await chat(gateway, say('quality', { max_tokens: 100 }), {
      headers: { 'x-gatehouse-max-cost-usd': '0.00001' },
    })
    expect(res.status).toBe(400)
    expect(res.json!.error).toMatchObject({
      code: 'cost_ceiling_exceeded',
      param: 'x-gatehouse-max-cost-usd',
    })
    expect(res.json!.error.message).toMatch(/ceiling of \$0\.00001 .*100 output tokens.*cheapest estimate/)
  })

  it('skips a target whose context window cannot hold the prompt, and says so when none can', async () => {
    const long = [{ role: 'user', content: 'The quick brown fox jumps over the lazy dog. '.repeat(20) }]
    expect(await servedBy(gateway, say('long'))).toBe('tiny')
    const res = await chat(gateway, { model: 'long', messages: long, max_tokens: 50 })
    expect(res.headers.get('x-gatehouse-model')).toBe('roomy')
    expect(res.trace!.candidates).toEqual([
      { target: 'tiny', skipped: 'context_window' },
      { target: 'roomy' },
    ])
    const inputTokens = res.trace!.inputTokens!
    expect(inputTokens).toBeGreaterThan(128)

    const none = await chat(gateway, { model: 'narrow', messages: long, max_tokens: 50 })
    expect(none.status).toBe(400)
    expect(none.json!.error).toMatchObject({ code: 'context_length_exceeded', param: 'messages' })
    expect(none.json!.error.message).toBe(
      `This request needs ${inputTokens} input tokens plus 50 output tokens, more than the largest ` +
        `context window among the targets of 'narrow' (128 tokens).`,
    )
  })

  it('a min_sensitivity rule sends confidential and restricted requests on-prem, and names itself', async () => {
    const at = (sensitivity?: string) =>
      chat(gateway, say('assistant'), {
        headers: sensitivity ? { 'x-gatehouse-sensitivity': sensitivity } : {},
      })
    for (const level of ['restricted', 'confidential']) {
      const res = await at(level)
      expect(res.headers.get('x-gatehouse-model')).toBe('onprem-llm')
      expect(res.trace).toMatchObject({
        requested: 'assistant',
        rule: 'confidential-stays-onprem',
        resolved: 'onprem-llm',
        chosen: 'onprem-llm',
      })
    }
    for (const level of ['internal', undefined]) {
      const res = await at(level)
      expect(res.headers.get('x-gatehouse-model')).toBe('cloud-llm')
      expect(res.trace!.rule).toBeUndefined()
      expect(res.trace).toMatchObject({ requested: 'assistant', resolved: 'assistant', chosen: 'cloud-llm' })
    }
  })
})

describe('least-latency', () => {
  let gateway: TestGateway
  const config = (fastLatencyMs: number) => ({
    providers: { sim: { kind: 'simulated' } },
    models: {
      slow: { provider: 'sim', simulate: { latency_ms: 40 } },
      fast: { provider: 'sim', simulate: { latency_ms: fastLatencyMs } },
    },
    // The slow one is listed first: only measurement can put the fast one ahead.
    routes: { quick: { strategy: 'least-latency', targets: ['slow', 'fast'] } },
  })

  beforeAll(async () => {
    gateway = await startTestGateway(config(5))
  })
  afterAll(async () => {
    await gateway?.close()
  })

  it('sends traffic to the faster target, and away from it once it slows down', async () => {
    // Warm-up: unmeasured targets go first, so each is measured once.
    const warmUp = [await servedBy(gateway, say('quick')), await servedBy(gateway, say('quick'))]
    expect(warmUp.sort()).toEqual(['fast', 'slow'])
    const before: Array<string | null> = []
    for (let i = 0; i < 20; i++) before.push(await servedBy(gateway, say('quick')))
    expect(tally(before)['fast'] ?? 0).toBeGreaterThanOrEqual(18)

    // The fast target becomes slow (a reload keeps the latency statistics): one slow answer
    // lifts its average above the other's, and traffic moves.
    await gateway.writeConfig(config(300))
    const reloaded = await gateway.gatehouse.reload()
    expect(reloaded.ok).toBe(true)
    const after: Array<string | null> = []
    for (let i = 0; i < 10; i++) after.push(await servedBy(gateway, say('quick')))
    expect(tally(after)['slow'] ?? 0).toBeGreaterThanOrEqual(8)
  })
})
