import { afterEach, describe, expect, it } from 'vitest'
import {
  type FakeMistral,
  mistralCompletion,
  mistralError,
  mistralFixture,
  mistralSseFixture,
  startFakeMistral,
} from '../fakes/mistral.js'
import { json, rawSse, type Step } from '../fakes/openai.js'
import { postJson, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { recordingSleep } from '../helpers/routing.js'
import { parseStream } from '../helpers/sse.js'

const KEY = 'mistral-test-key'

function mistralConfig(fake: FakeMistral, apiKey = KEY) {
  return {
    providers: { mistral: { kind: 'mistral', base_url: fake.url, api_key: apiKey } },
    models: {
      'mistral-small': { provider: 'mistral', model: 'mistral-small-latest' },
      'mistral-embed': { provider: 'mistral', type: 'embeddings' },
    },
    routing: { retry: { attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 5, max_retry_after_s: 30 } },
  }
}

const hi = { model: 'mistral-small', messages: [{ role: 'user', content: 'Salut' }] }
const weather = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
}

describe('mistral provider over a real socket', () => {
  let fake: FakeMistral
  let gateway: TestGateway
  afterEach(async () => {
    await gateway?.close()
    await fake?.close()
  })

  const start = async (script: Step[], opts = {}, apiKey = KEY) => {
    fake = await startFakeMistral(script)
    gateway = await startTestGateway(mistralConfig(fake, apiKey), opts)
  }

  it("sends Mistral's parameter names and passes the answer through", async () => {
    await start([json(mistralCompletion('Bonjour !'))])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, {
      ...hi,
      seed: 42,
      max_completion_tokens: 100,
      temperature: 0.3,
      user: 'u-7',
      safe_prompt: true,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'r', schema: { type: 'object' }, strict: true },
      },
    })
    expect(res.status).toBe(200)
    expect(res.json.choices[0].message.content).toBe('Bonjour !')
    expect(res.json.usage).toEqual({ prompt_tokens: 16, completion_tokens: 34, total_tokens: 50 })
    const call = fake.calls[0]!
    expect(call.path).toBe('/v1/chat/completions')
    expect(call.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(call.body).toEqual({
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: 'Salut' }],
      random_seed: 42,
      max_tokens: 100,
      temperature: 0.3,
      safe_prompt: true,
      stream: false,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'r', schema: { type: 'object' }, strict: true },
      },
    })
  })

  it('streams split at arbitrary bytes, with usage split off into its own final chunk', async () => {
    await start([rawSse(mistralSseFixture('chat-stream-text.sse'), { splitAt: 'random' })])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, {
      ...hi,
      stream: true,
      stream_options: { include_usage: true },
    })
    const { events, content } = parseStream(res.text)
    expect(content).toBe('Bonjour, ça va ?')
    expect(events.at(-1)).toBe('data: [DONE]')
    const usage = JSON.parse(events.at(-2)!.slice(6))
    expect(usage).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 7, completion_tokens: 6, total_tokens: 13 },
    })
    const finish = JSON.parse(events.at(-3)!.slice(6))
    expect(finish.choices[0].finish_reason).toBe('stop')
    expect(finish.usage).toBeUndefined()
    // Mistral refuses stream_options: it is not sent.
    expect(fake.calls[0]!.body).not.toHaveProperty('stream_options')
  })

  it('round-trips tool calls: tool_choice required is any, foreign ids become Mistral ids', async () => {
    await start([
      rawSse(mistralSseFixture('chat-stream-tools.sse')),
      json(mistralCompletion('21 °C à Paris.')),
    ])
    const first = await postJson(`${gateway.baseURL}/chat/completions`, {
      ...hi,
      stream: true,
      tools: [weather],
      tool_choice: 'required',
    })
    expect(fake.calls[0]!.body.tool_choice).toBe('any')
    const chunks = parseStream(first.text)
      .events.filter((e) => e.startsWith('data: {'))
      .map((e) => JSON.parse(e.slice(6)))
    const call = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? [])[0]
    expect(call).toMatchObject({
      id: 'D681PevKs',
      function: { name: 'get_weather', arguments: '{"city": "Paris"}' },
    })
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls')

    const second = await postJson(`${gateway.baseURL}/chat/completions`, {
      ...hi,
      tools: [weather],
      messages: [
        ...hi.messages,
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'D681PevKs', type: 'function', function: call.function }],
        },
        { role: 'tool', tool_call_id: 'D681PevKs', content: '21' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_fromOpenAI_0123456789', type: 'function', function: call.function }],
        },
        { role: 'tool', tool_call_id: 'call_fromOpenAI_0123456789', content: '21' },
      ],
    })
    expect(second.status).toBe(200)
    const sent = fake.calls[1]!.body.messages as Array<Record<string, any>>
    expect(sent[1]!.tool_calls[0].id).toBe('D681PevKs')
    expect(sent[3]!.tool_calls[0].id).toMatch(/^[A-Za-z0-9]{9}$/)
    expect(sent[4]!.tool_call_id).toBe(sent[3]!.tool_calls[0].id)
  })

  it('sends image parts through (vision)', async () => {
    await start([json(mistralCompletion('Un chat.'))])
    const content = [
      { type: 'text', text: "Qu'est-ce ?" },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ]
    const res = await postJson(`${gateway.baseURL}/chat/completions`, {
      ...hi,
      messages: [{ role: 'user', content }],
    })
    expect(res.status).toBe(200)
    expect((fake.calls[0]!.body.messages as Array<{ content: unknown }>)[0]!.content).toEqual(content)
  })

  it('refuses logprobs with a 400 naming Mistral', async () => {
    await start([json(mistralCompletion('x'))])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, { ...hi, logprobs: true })
    expect(res.status).toBe(400)
    expect(res.json.error).toMatchObject({
      code: 'unsupported_operation',
      param: 'logprobs',
      message: 'Mistral does not support logprobs.',
    })
    expect(fake.calls).toHaveLength(0)
  })

  it("passes a 422 validation error back as a 400 with the field and Mistral's message", async () => {
    await start([json(mistralCompletion('x'))])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, { ...hi, some_future_param: 1 })
    expect(res.status).toBe(400)
    expect(res.json.error.code).toBe('upstream_bad_request')
    expect(res.json.error.message).toContain('some_future_param: Extra inputs are not permitted')
  })

  it('maps a context window overflow to context_length_exceeded', async () => {
    await start([json(mistralFixture('error-400-context.json'), { status: 400 })])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(400)
    expect(res.json.error.code).toBe('context_length_exceeded')
    expect(res.json.error.message).toContain('32768 maximum context length')
  })

  it('retries a 429 after Retry-After, and a 5xx', async () => {
    const { sleep, delaysMs } = recordingSleep()
    await start(
      [
        json(mistralFixture('error-429.json'), { status: 429, headers: { 'retry-after': '3' } }),
        json(mistralCompletion('après attente')),
        mistralError(503, 'Service unavailable', 'internal_server_error'),
        json(mistralCompletion('enfin')),
      ],
      { routing: { sleep } },
    )
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.json.choices[0].message.content).toBe('après attente')
    expect(delaysMs[0]).toBe(3000)
    const again = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(again.json.choices[0].message.content).toBe('enfin')
    expect(again.headers.get('x-gatehouse-attempts')).toBe('2')
    expect(fake.calls).toHaveLength(4)
  })

  it('reports a persistent 429 as 429 with Retry-After', async () => {
    const { sleep } = recordingSleep()
    await start([json(mistralFixture('error-429.json'), { status: 429, headers: { 'retry-after': '4' } })], {
      routing: { sleep },
    })
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('4')
  })

  it('turns a wrong key into an auth failure without leaking it', async () => {
    await start([json(mistralCompletion('never'))], {}, 'wrong-mistral-key-42')
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(502)
    expect(res.text).not.toContain('wrong-mistral-key-42')
    expect(gateway.rawLogs()).not.toContain('wrong-mistral-key-42')
    expect(gateway.logs.find((l) => l.msg === 'upstream attempt failed')?.failure).toBe('auth')
  })

  it('embeds with mistral-embed, output_dimension and local base64', async () => {
    await start([
      json({
        id: 'embd-aad6fc62b17349b192ef09225058bc45',
        object: 'list',
        data: [
          { object: 'embedding', embedding: [0.5, -1], index: 0 },
          { object: 'embedding', embedding: [2, 0.25], index: 1 },
        ],
        model: 'mistral-embed',
        usage: { prompt_tokens: 6, total_tokens: 6, completion_tokens: 0 },
      }),
    ])
    const res = await postJson(`${gateway.baseURL}/embeddings`, {
      model: 'mistral-embed',
      input: ['a', 'b'],
      dimensions: 2,
      encoding_format: 'base64',
    })
    expect(res.status).toBe(200)
    expect(fake.calls[0]!.path).toBe('/v1/embeddings')
    expect(fake.calls[0]!.body).toEqual({ model: 'mistral-embed', input: ['a', 'b'], output_dimension: 2 })
    const vectors = res.json.data.map((d: { embedding: string }) => {
      const bytes = Buffer.from(d.embedding, 'base64')
      return [...new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)]
    })
    expect(vectors).toEqual([
      [0.5, -1],
      [2, 0.25],
    ])
    expect(res.json.usage).toMatchObject({ prompt_tokens: 6, total_tokens: 6 })
  })
})
