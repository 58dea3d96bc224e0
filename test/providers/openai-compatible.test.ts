import { afterEach, describe, expect, it } from 'vitest'
import {
  chunks,
  completion,
  error,
  type FakeOpenAI,
  json,
  reset,
  sse,
  startFakeOpenAI,
} from '../fakes/openai.js'
import { openaiConfig, postJson, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { parseStream } from '../helpers/sse.js'

const hi = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }

describe('openai-compatible provider over a real socket', () => {
  let fake: FakeOpenAI
  let gateway: TestGateway
  afterEach(async () => {
    await gateway?.close()
    await fake?.close()
  })

  it('forwards a chat call with credentials, the upstream model id and passthrough parameters', async () => {
    fake = await startFakeOpenAI([json(completion('hello'))])
    gateway = await startTestGateway(
      openaiConfig(fake.url, {
        models: { 'gpt-4o-mini': { provider: 'upstream', model: 'gpt-4o-mini-2024-07-18' } },
      }),
    )
    // Known parameters and one the gateway has never heard of: all must reach the provider.
    const params = {
      seed: 7,
      logprobs: true,
      top_logprobs: 2,
      n: 2,
      stop: ['END'],
      some_future_param: { nested: true },
    }
    const res = await postJson(`${gateway.baseURL}/chat/completions`, { ...hi, ...params })
    expect(res.status).toBe(200)
    expect(res.json.choices[0].message.content).toBe('hello')
    expect(res.headers.get('x-gatehouse-provider')).toBe('upstream')
    expect(res.headers.get('x-gatehouse-model')).toBe('gpt-4o-mini-2024-07-18')
    const call = fake.calls[0]!
    expect(call.path).toBe('/v1/chat/completions')
    expect(call.headers.authorization).toBe('Bearer sk-test-secret-key-1234')
    expect(call.body).toMatchObject({ model: 'gpt-4o-mini-2024-07-18', ...params })
  })

  it('ignores x-gatehouse-simulate, which only drives the simulated kind', async () => {
    fake = await startFakeOpenAI([json(completion('real answer'))])
    gateway = await startTestGateway(openaiConfig(fake.url))
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi, {
      'x-gatehouse-simulate': 'fail_status=503',
    })
    expect(res.status).toBe(200)
    expect(res.json.choices[0].message.content).toBe('real answer')
    expect(fake.calls[0]!.headers).not.toHaveProperty('x-gatehouse-simulate')
  })

  it('keeps upstream connections alive across calls', async () => {
    fake = await startFakeOpenAI([json(completion('hello'))])
    gateway = await startTestGateway(openaiConfig(fake.url))
    for (let i = 0; i < 5; i++)
      expect((await postJson(`${gateway.baseURL}/chat/completions`, hi)).status).toBe(200)
    expect(fake.calls).toHaveLength(5)
    expect(fake.connections).toBe(1)
  })

  it('returns the connection to the pool after a stream ends', async () => {
    fake = await startFakeOpenAI([sse(chunks('one two three'))])
    gateway = await startTestGateway(openaiConfig(fake.url))
    for (let i = 0; i < 3; i++) {
      const res = await postJson(`${gateway.baseURL}/chat/completions`, { ...hi, stream: true })
      expect(res.text.trim().endsWith('data: [DONE]')).toBe(true)
    }
    expect(await fake.calls[0]!.aborted).toBe(false)
    expect(fake.connections).toBe(1)
  })

  it('streams chunks split at arbitrary byte positions and ends with [DONE]', async () => {
    const text = 'Streaming über TCP — with emoji 🎉 and multibyte ✓ characters.'
    fake = await startFakeOpenAI([sse(chunks(text), { splitAt: 'random' })])
    gateway = await startTestGateway(openaiConfig(fake.url))
    const res = await postJson(`${gateway.baseURL}/chat/completions`, { ...hi, stream: true })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const { events, content } = parseStream(res.text)
    expect(events.at(-1)).toBe('data: [DONE]')
    expect(content).toBe(text)
    // The caller did not ask for usage: the usage-only chunk is not forwarded...
    expect(res.text).not.toContain('"usage"')
    // ...but the gateway asked for it upstream, so the stream can be metered.
    expect(fake.calls[0]!.body.stream_options).toEqual({ include_usage: true })
  })

  it('forwards the usage-only final chunk when the caller asks for it', async () => {
    fake = await startFakeOpenAI([sse(chunks('hi there'))])
    gateway = await startTestGateway(openaiConfig(fake.url))
    const res = await postJson(`${gateway.baseURL}/chat/completions`, {
      ...hi,
      stream: true,
      stream_options: { include_usage: true },
    })
    const last = JSON.parse(res.text.split('\n\n').filter(Boolean).at(-2)!.slice(6))
    expect(last.choices).toEqual([])
    // gpt-4o-mini from the pricing catalog: $0.15 in, $0.60 out per million tokens.
    expect(last.usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 12,
      total_tokens: 21,
      cost_usd: (9 * 0.15 + 12 * 0.6) / 1e6,
    })
  })

  it('passes a provider 400 back as 400 with the provider message', async () => {
    fake = await startFakeOpenAI([
      error(400, { message: 'Unrecognized request argument supplied: foo', code: 'invalid_request' }),
    ])
    gateway = await startTestGateway(openaiConfig(fake.url))
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(400)
    expect(res.json.error.code).toBe('upstream_bad_request')
    expect(res.json.error.message).toContain('Unrecognized request argument supplied: foo')
  })

  it('maps a provider context_length_exceeded to the same code, and a content filter to content_filter', async () => {
    fake = await startFakeOpenAI([
      error(400, {
        message: "This model's maximum context length is 8192 tokens",
        code: 'context_length_exceeded',
      }),
      error(400, { message: 'The response was filtered', code: 'content_filter' }),
    ])
    gateway = await startTestGateway(openaiConfig(fake.url))
    const long = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(long.status).toBe(400)
    expect(long.json.error.code).toBe('context_length_exceeded')
    expect(long.json.error.message).toContain('maximum context length is 8192')
    const filtered = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(filtered.status).toBe(400)
    expect(filtered.json.error.code).toBe('content_filter')
    expect(fake.calls).toHaveLength(2)
  })

  it('retries a 529 (overloaded) like a 503', async () => {
    fake = await startFakeOpenAI([error(529, { message: 'Overloaded' }), json(completion('fine'))])
    gateway = await startTestGateway(openaiConfig(fake.url))
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-gatehouse-attempts')).toBe('2')
  })

  it('turns a provider 429 into 429 with Retry-After', async () => {
    fake = await startFakeOpenAI([
      error(429, { message: 'Rate limit reached', headers: { 'retry-after': '12' } }),
    ])
    gateway = await startTestGateway(openaiConfig(fake.url))
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(429)
    expect(res.json.error.code).toBe('rate_limit_exceeded')
    expect(res.headers.get('retry-after')).toBe('12')
  })

  it('turns a provider 500 into 502 without leaking the provider body', async () => {
    fake = await startFakeOpenAI([error(500, { message: 'internal trace at /srv/secret/path.py line 12' })])
    gateway = await startTestGateway(openaiConfig(fake.url))
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(502)
    expect(res.json.error.type).toBe('server_error')
    expect(res.text).not.toContain('/srv/secret')
  })

  it('turns a connection reset into 503 and a refused connection into 503', async () => {
    fake = await startFakeOpenAI([reset()])
    gateway = await startTestGateway(openaiConfig(fake.url))
    expect((await postJson(`${gateway.baseURL}/chat/completions`, hi)).status).toBe(503)
    await gateway.close()
    gateway = await startTestGateway(openaiConfig('http://127.0.0.1:9/v1'))
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(503)
    expect(res.json.error.code).toBe('upstream_unavailable')
  })

  it('drops, renames and defaults parameters per model', async () => {
    fake = await startFakeOpenAI([json(completion('ok'))])
    gateway = await startTestGateway(
      openaiConfig(fake.url, {
        models: {
          'gpt-4o-mini': {
            provider: 'upstream',
            drop_params: ['logprobs', 'seed'],
            rename_params: { max_tokens: 'max_completion_tokens' },
            default_params: { temperature: 0.2, top_p: 0.9 },
          },
        },
      }),
    )
    await postJson(`${gateway.baseURL}/chat/completions`, {
      ...hi,
      logprobs: true,
      seed: 1,
      max_tokens: 50,
      top_p: 0.5,
    })
    const body = fake.calls[0]!.body
    expect(body).not.toHaveProperty('logprobs')
    expect(body).not.toHaveProperty('seed')
    expect(body).not.toHaveProperty('max_tokens')
    expect(body.max_completion_tokens).toBe(50)
    expect(body.temperature).toBe(0.2)
    expect(body.top_p).toBe(0.5)
  })

  it('sends extra headers and OpenAI organization/project headers', async () => {
    fake = await startFakeOpenAI([json(completion('ok'))])
    gateway = await startTestGateway({
      providers: {
        upstream: {
          kind: 'openai',
          base_url: fake.url,
          api_key: 'sk-a',
          organization: 'org-1',
          project: 'proj-1',
          headers: { 'X-Proxy-Token': 't0k' },
        },
      },
      models: { 'gpt-4o-mini': { provider: 'upstream' } },
    })
    await postJson(`${gateway.baseURL}/chat/completions`, hi)
    const headers = fake.calls[0]!.headers
    expect(headers['openai-organization']).toBe('org-1')
    expect(headers['openai-project']).toBe('proj-1')
    expect(headers['x-proxy-token']).toBe('t0k')
    expect(headers['x-request-id']).toBeTruthy()
  })

  it('never writes the provider key into the logs', async () => {
    fake = await startFakeOpenAI([error(401, { message: 'Incorrect API key provided: sk-test-***1234' })])
    gateway = await startTestGateway(openaiConfig(fake.url))
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(502)
    expect(gateway.rawLogs()).not.toContain('sk-test-secret-key-1234')
    expect(gateway.logs.some((l) => l.msg === 'request completed')).toBe(true)
  })
})
