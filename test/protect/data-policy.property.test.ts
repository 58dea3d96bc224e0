import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chunks, completion, error, type FakeOpenAI, json, sse, startFakeOpenAI } from '../fakes/openai.js'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { chat } from '../helpers/routing.js'

/**
 * The data policy's guarantee, as a property: whatever the request (restricted values anywhere in
 * it: system prompt, user turns, content parts, tool results, tool arguments; streamed or not),
 * whatever the route's strategy, and whatever the targets do (fail, rate-limit, so retries and
 * fallbacks happen), nothing restricted ever arrives at an external provider in clear.
 */

/** A Luhn-valid 16-digit card number from 15 digits. */
function luhnCard(body: number[]): string {
  const digits = [...body]
  let sum = 0
  for (let i = 0; i < 15; i++) {
    let d = digits[14 - i]!
    if (i % 2 === 0) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  digits.push((10 - (sum % 10)) % 10)
  return `4${digits.slice(1).join('')}`.replace(/(\d{4})(?=\d)/g, '$1 ')
}

const card = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 15, maxLength: 15 })
  .map((d) => luhnCard([4, ...d.slice(1)]))
const iban = fc.constantFrom(
  'FR14 2004 1010 0505 0001 3M02 606',
  'DE89 3704 0044 0532 0130 00',
  'ES91 2100 0418 4502 0005 1332',
  'IT60 X054 2811 1010 0000 0123 456',
  'NL91 ABNA 0417 1643 00',
  'BE68 5390 0754 7034',
)
const secret = fc.oneof(
  fc.stringMatching(/^[A-Z2-7]{16}$/).map((s) => `AKIA${s}`),
  fc.stringMatching(/^[A-Za-z0-9]{36}$/).map((s) => `ghp_${s}`),
)
const restrictedValue = fc.oneof(card, iban, secret)
const words = fc.array(
  fc.constantFrom('please', 'refund', 'the', 'customer', 'asked', 'about', 'order', 'today'),
  {
    maxLength: 6,
  },
)

/** Where the value sits in the request. */
const placement = fc.constantFrom('system', 'user', 'parts', 'tool', 'tool_args', 'history')

function request(value: string, where: string, before: string[], after: string[]) {
  const text = `${before.join(' ')} ${value} ${after.join(' ')}`.trim()
  const messages: Array<Record<string, unknown>> = [{ role: 'system', content: 'You are a support agent.' }]
  if (where === 'system') messages[0] = { role: 'system', content: `Agent notes: ${text}` }
  if (where === 'history')
    messages.push({ role: 'user', content: text }, { role: 'assistant', content: 'Noted.' })
  if (where === 'parts')
    messages.push({
      role: 'user',
      content: [
        { type: 'text', text: 'hello' },
        { type: 'text', text },
      ],
    })
  if (where === 'tool' || where === 'tool_args') {
    messages.push(
      { role: 'user', content: 'look it up' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'c1',
            type: 'function',
            function: {
              name: 'lookup',
              arguments: JSON.stringify({ q: where === 'tool_args' ? text : 'x' }),
            },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: where === 'tool' ? text : 'none' },
    )
  }
  messages.push({ role: 'user', content: where === 'user' ? text : 'what now?' })
  return messages
}

const compact = (s: string) => s.replace(/[\s-]/g, '')

describe('data policy property: restricted data never reaches an external provider in clear', () => {
  let external: FakeOpenAI
  let sovereign: FakeOpenAI
  let onprem: FakeOpenAI
  // What each target does on its next calls: consumed in order, then answer.
  const plan = { external: [] as string[], sovereign: [] as string[], onprem: [] as string[] }
  const gateways: TestGateway[] = []

  const fake = (name: keyof typeof plan) =>
    startFakeOpenAI((call) => {
      const step = plan[name].shift() ?? 'ok'
      if (step === '503') return error(503)
      if (step === '429') return error(429, { headers: { 'retry-after': '0' } })
      return call.body['stream'] ? sse(chunks('done')) : json(completion('done'))
    })

  beforeAll(async () => {
    ;[external, sovereign, onprem] = await Promise.all([fake('external'), fake('sovereign'), fake('onprem')])
    const base = {
      providers: {
        ext: { kind: 'openai', api_key: 'sk-test', base_url: external.url, trust: 'external', region: 'eu' },
        sov: { kind: 'openai-compatible', base_url: sovereign.url, trust: 'sovereign', region: 'eu-west-3' },
        prem: { kind: 'openai-compatible', base_url: onprem.url, trust: 'onprem', region: 'eu' },
      },
      models: {
        'ext-model': { provider: 'ext', model: 'gpt-4o-mini' },
        'sov-model': { provider: 'sov', model: 'mistral-large' },
        'prem-model': { provider: 'prem', model: 'llama' },
      },
      routes: {
        fallback: { strategy: 'fallback', targets: ['ext-model', 'sov-model', 'prem-model'] },
        weighted: { strategy: 'weighted', targets: ['ext-model', 'prem-model'] },
        fastest: { strategy: 'least-latency', targets: ['prem-model', 'ext-model', 'sov-model'] },
        busy: { strategy: 'least-busy', targets: ['sov-model', 'ext-model'] },
        'ext-first': { strategy: 'fallback', targets: ['ext-model', 'prem-model'] },
        'ext-only': { strategy: 'fallback', targets: ['ext-model'] },
      },
      routing: {
        retry: { attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 2 },
        breaker: { enabled: false },
      },
    }
    // Four policies: the default (masked for external), allowed in clear (so external is not
    // eligible), pseudonymized, and blocked for external.
    const variants = [
      {},
      { actions: { card: 'allow', iban: 'allow', secret: 'allow' } },
      { actions: { card: 'pseudonymize', iban: 'pseudonymize', secret: 'pseudonymize' } },
      {
        actions: { card: { external: 'block' }, iban: { external: 'block' }, secret: { external: 'block' } },
      },
    ]
    for (const protect of variants) gateways.push(await startTestGateway({ ...base, protect }))
  }, 30_000)

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()))
    await Promise.all([external, sovereign, onprem].map((f) => f?.close()))
  })

  it('holds for every strategy, fallback and retry', async () => {
    const outcome = fc.constantFrom('ok', '503', '429')
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          gateway: fc.integer({ min: 0, max: 3 }),
          route: fc.constantFrom(
            'fallback',
            'weighted',
            'fastest',
            'busy',
            'ext-first',
            'ext-only',
            'ext-model',
          ),
          value: restrictedValue,
          where: placement,
          before: words,
          after: words,
          stream: fc.boolean(),
          externalSteps: fc.array(outcome, { maxLength: 3 }),
          otherSteps: fc.array(outcome, { maxLength: 2 }),
        }),
        async (r) => {
          plan.external = [...r.externalSteps]
          plan.sovereign = [...r.otherSteps]
          plan.onprem = [...r.otherSteps]
          const seen = external.calls.length
          const res = await chat(gateways[r.gateway]!, {
            model: r.route,
            stream: r.stream,
            messages: request(r.value, r.where, r.before, r.after),
          })
          expect([200, 403, 429, 502, 503]).toContain(res.status)
          for (const call of external.calls.slice(seen)) {
            expect(compact(JSON.stringify(call.body))).not.toContain(compact(r.value))
          }
          // Every request carries restricted data: the answer says so.
          if (res.status === 200) expect(res.headers.get('x-gatehouse-sensitivity')).toBe('restricted')
        },
      ),
      { numRuns: 150 },
    )
    // The property was exercised, not vacuous: external targets did receive (redacted) requests.
    expect(external.calls.length).toBeGreaterThan(10)
  }, 120_000)
})
