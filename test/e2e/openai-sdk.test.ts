import { readFileSync } from 'node:fs'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  chunks,
  completion,
  error,
  type FakeOpenAI,
  json,
  rawSse,
  type Step,
  sse,
  startFakeOpenAI,
} from '../fakes/openai.js'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'

const fixture = (name: string) => readFileSync(new URL(`../fixtures/openai/${name}`, import.meta.url), 'utf8')

/**
 * The official `openai` SDK, unchanged, as the caller: if it works against the gateway, so do the
 * applications built on it. Upstream answers come from the simulated provider and from a fake
 * OpenAI server scripted per test (by the `x-test-step` header the test sets).
 */
describe('official openai SDK against the gateway', () => {
  let fake: FakeOpenAI
  let gateway: TestGateway
  let client: OpenAI
  const steps = new Map<string, Step>()

  beforeAll(async () => {
    fake = await startFakeOpenAI((call) => steps.get(String(call.body.user)) ?? json(completion('default')))
    gateway = await startTestGateway({
      providers: {
        sim: { kind: 'simulated' },
        openai: { kind: 'openai', base_url: fake.url, api_key: 'sk-upstream' },
      },
      models: {
        'sim-fast': { provider: 'sim' },
        'sim-embed': { provider: 'sim', type: 'embeddings', simulate: { dimensions: 32 } },
        'gpt-4o-mini': { provider: 'openai', model: 'gpt-4o-mini-2024-07-18' },
        'gpt-4o': { provider: 'openai' },
        'text-embedding-3-small': { provider: 'openai', type: 'embeddings' },
      },
      routes: { chat: { targets: ['gpt-4o-mini', 'sim-fast'] } },
      // Retry fast, and never wait out a Retry-After in these tests.
      routing: { retry: { attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 5, max_retry_after_s: 0 } },
    })
    client = new OpenAI({ apiKey: 'gatehouse-test', baseURL: gateway.baseURL, maxRetries: 0 })
  })
  afterAll(async () => {
    await gateway?.close()
    await fake?.close()
  })

  // The fake picks its answer by the request's `user` field, which the gateway passes through.
  const step = (name: string, s: Step) => {
    steps.set(name, s)
    return name
  }

  it('creates a chat completion (simulated)', async () => {
    const res = await client.chat.completions.create({
      model: 'sim-fast',
      messages: [{ role: 'user', content: 'hello there' }],
    })
    expect(res.object).toBe('chat.completion')
    expect(res.choices[0]!.message.content).toContain('hello there')
    expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens)
  })

  it('creates a chat completion through an OpenAI provider, with gateway headers', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        user: step('plain', json(completion('from upstream'))),
      })
      .withResponse()
    expect(data.choices[0]!.message.content).toBe('from upstream')
    expect(response.headers.get('x-gatehouse-provider')).toBe('openai')
    expect(response.headers.get('x-gatehouse-model')).toBe('gpt-4o-mini-2024-07-18')
    expect(response.headers.get('x-gatehouse-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('keeps a well-formed request id sent by the caller', async () => {
    const { response } = await client.chat.completions
      .create(
        { model: 'sim-fast', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-gatehouse-request-id': 'app-req-42' } },
      )
      .withResponse()
    expect(response.headers.get('x-gatehouse-request-id')).toBe('app-req-42')
  })

  it('streams a chat completion with usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'sim-fast',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let usage: OpenAI.CompletionUsage | null | undefined
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      if (chunk.usage) usage = chunk.usage
    }
    expect(text).toBe('Simulated reply from sim-fast: you said "stream please".')
    expect(usage?.completion_tokens).toBeGreaterThan(0)
  })

  it('streams a recorded OpenAI stream split at random byte positions, unknown fields intact', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
      user: step('fixture-text', rawSse(fixture('chat-stream-text.sse'), { splitAt: 'random' })),
    })
    const seen: OpenAI.ChatCompletionChunk[] = []
    for await (const chunk of stream) seen.push(chunk)
    expect(seen.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Bonjour à tous 👋')
    expect((seen[0] as unknown as { obfuscation: string }).obfuscation).toBe('qW3')
    expect(seen.at(-1)!.usage!.prompt_tokens_details!.cached_tokens).toBe(0)
  })

  it('aggregates streamed parallel tool calls with the SDK stream helper', async () => {
    const runner = client.chat.completions.stream({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Weather in Paris and Lyon?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
      user: step('fixture-tools', rawSse(fixture('chat-stream-tools.sse'), { splitAt: 'random' })),
    })
    const final = await runner.finalChatCompletion()
    const calls = final.choices[0]!.message.tool_calls!
    expect(final.choices[0]!.finish_reason).toBe('tool_calls')
    expect(
      calls.map((c) => c.type === 'function' && [c.id, c.function.name, JSON.parse(c.function.arguments)]),
    ).toEqual([
      ['call_Paris0123456789abcdef', 'get_weather', { city: 'Paris' }],
      ['call_Lyon0123456789abcdefg', 'get_weather', { city: 'Lyon' }],
    ])
  })

  it('round-trips tools, tool_choice and a tool result (simulated)', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'lookup',
          parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
        },
      },
    ]
    const first = await client.chat.completions.create({
      model: 'sim-fast',
      messages: [{ role: 'user', content: 'find invoices' }],
      tools,
      tool_choice: { type: 'function', function: { name: 'lookup' } },
    })
    const call = first.choices[0]!.message.tool_calls![0]!
    expect(first.choices[0]!.finish_reason).toBe('tool_calls')
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({
      query: 'find invoices',
    })
    const second = await client.chat.completions.create({
      model: 'sim-fast',
      tools,
      messages: [
        { role: 'user', content: 'find invoices' },
        first.choices[0]!.message,
        { role: 'tool', tool_call_id: call.id, content: '3 invoices' },
      ],
    })
    expect(second.choices[0]!.message.content).toBe('The tool returned: 3 invoices')
  })

  it('passes image parts, response_format and sampling parameters through to OpenAI', async () => {
    const s = step('passthrough', json(completion('{"city":"Paris"}')))
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What city is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
          ],
        },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'city',
          schema: { type: 'object', properties: { city: { type: 'string' } } },
          strict: true,
        },
      },
      n: 1,
      seed: 3,
      stop: ['\n\n'],
      logprobs: true,
      top_logprobs: 1,
      temperature: 0,
      user: s,
    })
    expect(JSON.parse(res.choices[0]!.message.content!)).toEqual({ city: 'Paris' })
    const sent = fake.calls.at(-1)!.body as Record<string, any>
    expect(sent.messages[0].content[1]).toEqual({
      type: 'image_url',
      image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' },
    })
    expect(sent.response_format.json_schema.strict).toBe(true)
    expect(sent).toMatchObject({
      seed: 3,
      stop: ['\n\n'],
      logprobs: true,
      top_logprobs: 1,
      temperature: 0,
      model: 'gpt-4o-mini-2024-07-18',
    })
  })

  it('answers JSON mode and n choices (simulated)', async () => {
    const res = await client.chat.completions.create({
      model: 'sim-fast',
      messages: [{ role: 'user', content: 'json please' }],
      response_format: { type: 'json_object' },
      n: 3,
    })
    expect(res.choices).toHaveLength(3)
    for (const choice of res.choices) expect(JSON.parse(choice.message.content!)).toHaveProperty('reply')
  })

  it('creates embeddings, decoding the base64 the SDK asks for', async () => {
    const res = await client.embeddings.create({ model: 'sim-embed', input: ['alpha', 'beta'] })
    expect(res.data).toHaveLength(2)
    expect(res.data[0]!.embedding).toHaveLength(32)
    expect(Math.hypot(...res.data[0]!.embedding)).toBeCloseTo(1, 4)
    const again = await client.embeddings.create({
      model: 'sim-embed',
      input: 'alpha',
      encoding_format: 'float',
    })
    expect(again.data[0]!.embedding[0]).toBeCloseTo(res.data[0]!.embedding[0]!, 5)
  })

  it('creates embeddings through an OpenAI provider', async () => {
    const body = {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 2, total_tokens: 2 },
    }
    const res = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'hello',
      encoding_format: 'float',
      dimensions: 3,
      user: step('embed', json(body)),
    })
    expect(res.data[0]!.embedding).toEqual([0.1, 0.2, 0.3])
    expect(fake.calls.at(-1)!.path).toBe('/v1/embeddings')
    expect(fake.calls.at(-1)!.body).toMatchObject({ model: 'text-embedding-3-small', dimensions: 3 })
  })

  it('lists and retrieves models and routes', async () => {
    const ids: string[] = []
    for await (const model of client.models.list()) ids.push(model.id)
    expect(ids).toEqual(expect.arrayContaining(['sim-fast', 'gpt-4o-mini', 'sim-embed', 'chat']))
    expect((await client.models.retrieve('chat')).owned_by).toBe('gatehouse')
    await expect(client.models.retrieve('nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError)
  })

  it('maps an unknown model to NotFoundError with code model_not_found', async () => {
    const err = await client.chat.completions
      .create({ model: 'gpt-5-ultra', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.NotFoundError)
    expect(err.code).toBe('model_not_found')
    expect(err.param).toBe('model')
  })

  it('maps an invalid request to BadRequestError naming the field', async () => {
    const err = await client.chat.completions
      .create({ model: 'sim-fast', messages: [{ role: 'wizard' as 'user', content: 'hi' }] })
      .catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(err.param).toBe('messages[0].role')
  })

  it('maps an upstream 429 to RateLimitError and an outage to InternalServerError', async () => {
    const limited = await client.chat.completions
      .create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'hi' }],
        user: step('429', error(429, { headers: { 'retry-after': '3' } })),
      })
      .catch((e) => e)
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
    expect(limited.headers.get('retry-after')).toBe('3')
    const down = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], user: step('503', error(503)) })
      .catch((e) => e)
    expect(down).toBeInstanceOf(OpenAI.InternalServerError)
    expect(down.status).toBe(502)
  })

  it('falls back along a route when the first target fails', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: 'chat',
        messages: [{ role: 'user', content: 'hi' }],
        user: step('route-down', error(503)),
      })
      .withResponse()
    expect(data.choices[0]!.message.content).toContain('sim-fast')
    // gpt-4o-mini answers 503 twice (one retry), then sim-fast answers.
    expect(response.headers.get('x-gatehouse-attempts')).toBe('3')
    expect(response.headers.get('x-gatehouse-provider')).toBe('sim')
  })

  it('surfaces an error that arrives mid-stream as an APIError, not a clean end', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      user: step('mid-error', rawSse(fixture('chat-stream-error.sse'))),
    })
    let text = ''
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    })().catch((e) => e)
    expect(text).toBe('Partial')
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(err.message).toContain('The server had an error')
  })

  it('surfaces a stream cut by the provider as an error', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      user: step('cut', sse(chunks('this stream will be cut'), { done: false })),
    })
    const err = await (async () => {
      for await (const _ of stream) {
      }
    })().catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(err.message).toContain('closed the stream before it finished')
  })
})
