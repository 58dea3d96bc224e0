import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/load.js'
import {
  error,
  type FakeAnthropic,
  message,
  rateLimitHeaders,
  rawSse,
  reset,
  type Step,
  sse,
  startFakeAnthropic,
  textEvents,
  textMessage,
} from '../fakes/anthropic.js'
import { postJson, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { parseStream } from '../helpers/sse.js'

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/anthropic/${name}`, import.meta.url), 'utf8')
const KEY = 'sk-ant-api03-test-secret-key-0123456789'
const hi = { model: 'claude', messages: [{ role: 'user', content: 'hi' }] }

function anthropicConfig(url: string, extra: { provider?: object; model?: object; routing?: object } = {}) {
  return {
    providers: { anthropic: { kind: 'anthropic', base_url: url, api_key: KEY, ...extra.provider } },
    models: {
      claude: { provider: 'anthropic', model: 'claude-sonnet-4-20250514', ...extra.model },
      'claude-embed': { provider: 'anthropic', type: 'embeddings' },
    },
    routing: {
      retry: { attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 2, max_retry_after_s: 0 },
      breaker: { enabled: false },
      ...extra.routing,
    },
  }
}

describe('anthropic provider over a real socket', () => {
  let fake: FakeAnthropic
  let gateway: TestGateway
  afterEach(async () => {
    await gateway?.close()
    await fake?.close()
  })

  async function start(script: Step[], extra?: Parameters<typeof anthropicConfig>[1]) {
    fake = await startFakeAnthropic(script, { apiKey: KEY })
    gateway = await startTestGateway(anthropicConfig(fake.url, extra))
  }
  const chat = (body: object, headers?: Record<string, string>) =>
    postJson(`${gateway.baseURL}/chat/completions`, body, headers)

  it('calls POST /v1/messages with x-api-key, anthropic-version and the translated body', async () => {
    await start([message(JSON.parse(fixture('message-text.json')))])
    const res = await chat({
      ...hi,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      temperature: 0.2,
      stop: ['END'],
    })
    expect(res.status).toBe(200)
    expect(res.json.choices[0]).toMatchObject({
      message: { content: 'Bonjour à tous 👋' },
      finish_reason: 'stop',
    })
    expect(res.json.usage).toMatchObject({
      prompt_tokens: 2169,
      prompt_tokens_details: { cached_tokens: 2048 },
    })
    expect(res.headers.get('x-gatehouse-provider')).toBe('anthropic')
    const call = fake.calls[0]!
    expect(call.path).toBe('/v1/messages')
    expect(call.headers['x-api-key']).toBe(KEY)
    expect(call.headers['anthropic-version']).toBe('2023-06-01')
    expect(call.headers.authorization).toBeUndefined()
    expect(call.body).toEqual({
      model: 'claude-sonnet-4-20250514',
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      max_tokens: 4096,
      temperature: 0.2,
      stop_sequences: ['END'],
    })
  })

  it('takes anthropic_version and max_tokens from config', async () => {
    await start([message(textMessage('ok'))], {
      provider: { anthropic_version: '2024-01-01' },
      model: { default_params: { max_tokens: 1024 } },
    })
    expect((await chat(hi)).status).toBe(200)
    expect((await chat({ ...hi, max_completion_tokens: 64 })).status).toBe(200)
    expect(fake.calls[0]!.headers['anthropic-version']).toBe('2024-01-01')
    expect(fake.calls[0]!.body.max_tokens).toBe(1024)
    expect(fake.calls[1]!.body.max_tokens).toBe(64)
  })

  it('streams text split at random byte positions, usage last', async () => {
    for (let run = 0; run < 5; run++) {
      await start([rawSse(fixture('stream-text.sse'), { splitAt: 'random' })])
      const res = await chat({ ...hi, stream: true, stream_options: { include_usage: true } })
      expect(res.status).toBe(200)
      const { events, content } = parseStream(res.text)
      expect(content).toBe('Bonjour à tous 👋')
      expect(events.at(-1)).toBe('data: [DONE]')
      const usage = JSON.parse(events.at(-2)!.slice(6))
      expect(usage.usage).toMatchObject({ prompt_tokens: 1049, completion_tokens: 15 })
      expect(fake.calls[0]!.body.stream).toBe(true)
      await gateway.close()
      await fake.close()
    }
  })

  it('streams tool calls with their ids and argument deltas under their index', async () => {
    await start([rawSse(fixture('stream-tool-use.sse'), { splitAt: 'random' })])
    const res = await chat({
      ...hi,
      stream: true,
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    })
    const chunks = parseStream(res.text)
      .events.filter((e) => e.startsWith('data: {'))
      .map((e) => JSON.parse(e.slice(6)))
    const args = ['', '']
    const ids: string[] = []
    for (const c of chunks) {
      for (const call of c.choices[0]?.delta.tool_calls ?? []) {
        if (call.id) ids[call.index] = call.id
        args[call.index] += call.function?.arguments ?? ''
      }
    }
    expect(ids).toEqual(['toolu_01T1x1fJ34qAmk2tNTrN7Up6', 'toolu_01Lyon4qAmk2tNTrN7Up6x'])
    expect(args.map((a) => JSON.parse(a))).toEqual([{ city: 'Paris' }, { city: 'Lyon' }])
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls')
    expect(fake.calls[0]!.body.tools).toEqual([{ name: 'get_weather', input_schema: { type: 'object' } }])
  })

  it('ends the stream with an error event when Anthropic sends one mid-stream', async () => {
    await start([rawSse(fixture('stream-error.sse'))])
    const res = await chat({ ...hi, stream: true })
    const { events, content } = parseStream(res.text)
    expect(content).toBe('Partial')
    expect(events.at(-1)).toContain('"error"')
    expect(events.at(-1)).toContain('Overloaded')
    expect(res.text).not.toContain('[DONE]')
  })

  it('replaces a stream cut before its first event by a retry', async () => {
    await start([sse(textEvents('first').slice(0, 0), { ending: 'reset' }), sse(textEvents('second try'))])
    const res = await chat({ ...hi, stream: true })
    expect(parseStream(res.text).content).toBe('second try')
    expect(res.headers.get('x-gatehouse-attempts')).toBe('2')
  })

  it('times out a stream that stalls mid-answer and ends it with an error event', async () => {
    await start([sse(textEvents('partial answer').slice(0, 4), { ending: 'stall' })], {
      provider: { idle_timeout_ms: 150 },
    })
    const res = await chat({ ...hi, stream: true })
    const { events, content } = parseStream(res.text)
    expect(content).toBe('part')
    expect(events.at(-1)).toContain('"error"')
    expect(res.text).not.toContain('[DONE]')
  })

  it('retries a connection reset', async () => {
    await start([reset(), message(textMessage('after reset'))])
    const res = await chat(hi)
    expect(res.json.choices[0].message.content).toBe('after reset')
    expect(fake.calls).toHaveLength(2)
  })

  it.each([
    ['invalid_request_error', 400, 400, 'upstream_bad_request'],
    ['authentication_error', 401, 502, 'upstream_error'],
    ['permission_error', 403, 502, 'upstream_error'],
    ['not_found_error', 404, 502, 'upstream_error'],
    ['request_too_large', 413, 400, 'upstream_bad_request'],
    ['rate_limit_error', 429, 429, 'rate_limit_exceeded'],
    ['api_error', 500, 502, 'upstream_error'],
    ['overloaded_error', 529, 502, 'upstream_error'],
  ])('maps %s (%i) to %i %s', async (type, status, expected, code) => {
    await start([error(type, `fake ${type}`, { status })])
    const res = await chat(hi)
    expect(res.status).toBe(expected)
    expect(res.json.error.code).toBe(code)
    if (expected === 400) expect(res.json.error.message).toContain(`fake ${type}`)
    const retried = ['rate_limit_error', 'api_error', 'overloaded_error'].includes(type)
    expect(fake.calls).toHaveLength(retried ? 2 : 1)
  })

  it('passes a prompt that is too long on as context_length_exceeded', async () => {
    await start([
      { type: 'json', status: 400, body: JSON.parse(fixture('error-prompt-too-long.json')), headers: {} },
    ])
    const res = await chat(hi)
    expect(res.status).toBe(400)
    expect(res.json.error.code).toBe('context_length_exceeded')
    expect(res.json.error.message).toContain('208310 tokens > 200000 maximum')
  })

  it('keeps the wait of a 429 from retry-after, else from the rate-limit reset headers', async () => {
    await start([
      error('rate_limit_error', 'slow down', { headers: rateLimitHeaders(new Date(Date.now() + 20_000), 9) }),
    ])
    expect((await chat(hi)).headers.get('retry-after')).toBe('9')
    await gateway.close()
    await fake.close()
    await start([
      error('rate_limit_error', 'slow down', { headers: rateLimitHeaders(new Date(Date.now() + 20_000)) }),
    ])
    const wait = Number((await chat(hi)).headers.get('retry-after'))
    expect(wait).toBeGreaterThanOrEqual(19)
    expect(wait).toBeLessThanOrEqual(21)
  })

  it('recovers from a 529 overloaded by retrying', async () => {
    await start([error('overloaded_error', 'Overloaded'), message(textMessage('recovered'))])
    const res = await chat(hi)
    expect(res.json.choices[0].message.content).toBe('recovered')
    expect(res.headers.get('x-gatehouse-attempts')).toBe('2')
  })

  it('refuses embeddings and untranslatable parameters with a 400 naming the provider', async () => {
    await start([message(textMessage('unused'))])
    const embed = await postJson(`${gateway.baseURL}/embeddings`, { model: 'claude-embed', input: 'x' })
    expect(embed.status).toBe(400)
    expect(embed.json.error.code).toBe('unsupported_operation')
    expect(embed.json.error.message).toContain('"anthropic" (anthropic) has no embeddings API')
    const seed = await chat({ ...hi, seed: 1 })
    expect(seed.status).toBe(400)
    expect(seed.json.error).toMatchObject({ code: 'unsupported_operation', param: 'seed' })
    expect(fake.calls).toHaveLength(0)
  })

  it('drops a parameter listed in drop_params instead of refusing it', async () => {
    await start([message(textMessage('ok'))], { model: { drop_params: ['seed'] } })
    expect((await chat({ ...hi, seed: 1 })).status).toBe(200)
    expect(fake.calls[0]!.body).not.toHaveProperty('seed')
  })

  it('never logs the provider key', async () => {
    await start([error('authentication_error', 'invalid x-api-key')])
    await chat(hi)
    expect(gateway.rawLogs()).not.toContain(KEY)
  })
})

describe('anthropic provider config', () => {
  it('requires api_key and defaults base_url and anthropic_version', () => {
    const ok = parseConfig('providers: { a: { kind: anthropic, api_key: k } }', {})
    expect(ok.ok && ok.config.providers['a']).toMatchObject({
      base_url: 'https://api.anthropic.com',
      anthropic_version: '2023-06-01',
      trust: 'external',
    })
    const missing = parseConfig('providers: { a: { kind: anthropic } }', {})
    expect(missing.ok ? [] : missing.errors).toEqual([
      'providers.a.api_key: required for kind anthropic (e.g. api_key: ${ANTHROPIC_API_KEY})',
    ])
    const misplaced = parseConfig('providers: { o: { kind: openai, anthropic_version: "2023-06-01" } }', {})
    expect(misplaced.ok ? [] : misplaced.errors[0]).toContain(
      'providers.o.anthropic_version: only for kind anthropic',
    )
  })
})
