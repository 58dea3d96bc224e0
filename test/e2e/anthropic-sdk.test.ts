import { readFileSync } from 'node:fs'
import Anthropic from '@anthropic-ai/sdk'
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
  toolCallCompletion,
} from '../fakes/openai.js'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'

type APIError = InstanceType<typeof Anthropic.APIError>

const fixture = (name: string) => readFileSync(new URL(`../fixtures/openai/${name}`, import.meta.url), 'utf8')

const weather: Anthropic.Tool[] = [
  {
    name: 'get_weather',
    description: 'Weather in a city',
    input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
]

/**
 * The official `@anthropic-ai/sdk`, unchanged, calling /v1/messages in front of an OpenAI model
 * (a fake OpenAI server scripted per test through `metadata.user_id`, which becomes OpenAI's `user`).
 */
describe('official Anthropic SDK against /v1/messages', () => {
  let fake: FakeOpenAI
  let gateway: TestGateway
  let client: Anthropic
  const steps = new Map<string, Step>()
  const step = (name: string, s: Step) => {
    steps.set(name, s)
    return { user_id: name }
  }
  const callFor = (name: string) => fake.calls.find((c) => c.body.user === name)!

  beforeAll(async () => {
    fake = await startFakeOpenAI((call) => steps.get(String(call.body.user)) ?? json(completion('default')))
    gateway = await startTestGateway({
      providers: {
        openai: { kind: 'openai', base_url: fake.url, api_key: 'sk-upstream' },
        sim: { kind: 'simulated' },
      },
      models: {
        'gpt-4o': { provider: 'openai', model: 'gpt-4o-2024-08-06' },
        'sim-fast': { provider: 'sim' },
      },
      routes: { chat: { targets: ['gpt-4o'] } },
      routing: { retry: { attempts: 1 }, breaker: { enabled: false } },
    })
    client = new Anthropic({ apiKey: 'gatehouse-test', baseURL: gateway.url, maxRetries: 0 })
  })
  afterAll(async () => {
    await gateway?.close()
    await fake?.close()
  })

  it('creates a message through an OpenAI model, system prompt and usage translated', async () => {
    const { data, response } = await client.messages
      .create({
        model: 'chat',
        max_tokens: 256,
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'hi' }],
        stop_sequences: ['END'],
        metadata: step('text', json(completion('Hello from OpenAI'))),
      })
      .withResponse()
    expect(data).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'Hello from OpenAI' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 9, output_tokens: 12 },
    })
    expect(response.headers.get('x-gatehouse-provider')).toBe('openai')
    expect(response.headers.get('request-id')).toBe(response.headers.get('x-gatehouse-request-id'))
    expect(callFor('text').body).toMatchObject({
      model: 'gpt-4o-2024-08-06',
      max_tokens: 256,
      stop: ['END'],
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
    })
  })

  it('pseudonymizes personal data on the way out and restores it in the streamed answer', async () => {
    const email = 'lena.schmidt@example.de'
    const stream = client.messages.stream({
      model: 'gpt-4o',
      max_tokens: 64,
      messages: [{ role: 'user', content: `Draft a reply to ${email}.` }],
      metadata: step('pseudonyms', sse(chunks('Sure, writing to [EMAIL_1] now.', { pieceChars: 3 }))),
    })
    const message = await stream.finalMessage()
    expect(message.content).toEqual([{ type: 'text', text: `Sure, writing to ${email} now.` }])
    const sent = JSON.stringify(callFor('pseudonyms').body)
    expect(sent).toContain('Draft a reply to [EMAIL_1].')
    expect(sent).not.toContain(email)
  })

  it('streams with the exact Anthropic event order, and finalMessage() has text and usage', async () => {
    const stream = client.messages.stream({
      model: 'gpt-4o',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'hi' }],
      metadata: step('stream', rawSse(fixture('chat-stream-text.sse'), { splitAt: 'random' })),
    })
    const types: string[] = []
    let text = ''
    for await (const event of stream) {
      types.push(event.type)
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text
    }
    expect(types[0]).toBe('message_start')
    expect(types[1]).toBe('content_block_start')
    expect(types.slice(2, -3).every((t) => t === 'content_block_delta')).toBe(true)
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop'])
    expect(text).toBe('Bonjour à tous 👋')
    const final = await stream.finalMessage()
    expect(final.content).toEqual([{ type: 'text', text: 'Bonjour à tous 👋' }])
    expect(final.stop_reason).toBe('end_turn')
    expect(final.usage).toMatchObject({ input_tokens: 11, output_tokens: 5 })
    // The gateway asked the OpenAI target for usage on the stream.
    expect(callFor('stream').body.stream_options).toEqual({ include_usage: true })
  })

  it('round-trips tool use: tool_use blocks out, tool_result back as a tool message with the same id', async () => {
    const toolCall = toolCallCompletion('call_abc123', 'get_weather', '{"city":"Paris"}')
    const first = await client.messages.create({
      model: 'gpt-4o',
      max_tokens: 256,
      tools: weather,
      tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      metadata: step('tool-1', json(toolCall)),
    })
    expect(first.stop_reason).toBe('tool_use')
    expect(first.content).toEqual([
      { type: 'tool_use', id: 'call_abc123', name: 'get_weather', input: { city: 'Paris' } },
    ])
    expect(callFor('tool-1').body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: weather[0]!.input_schema } }],
      tool_choice: 'required',
    })

    const second = await client.messages.create({
      model: 'gpt-4o',
      max_tokens: 256,
      tools: weather,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'call_abc123', content: '18°C, sunny' }],
        },
      ],
      metadata: step('tool-2', json(completion('It is 18°C and sunny in Paris.'))),
    })
    expect(second.content[0]).toMatchObject({ type: 'text', text: 'It is 18°C and sunny in Paris.' })
    expect(callFor('tool-2').body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_abc123',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_abc123', content: '18°C, sunny' },
    ])
  })

  it('streams parallel tool calls as tool_use blocks with input_json_delta', async () => {
    const stream = client.messages.stream({
      model: 'gpt-4o',
      max_tokens: 256,
      tools: weather,
      messages: [{ role: 'user', content: 'Weather in Paris and Lyon?' }],
      metadata: step('stream-tools', rawSse(fixture('chat-stream-tools.sse'), { splitAt: 'random' })),
    })
    const deltas: string[] = []
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_delta') deltas.push(event.delta.type)
    })
    const final = await stream.finalMessage()
    expect(final.stop_reason).toBe('tool_use')
    expect(final.content).toEqual([
      { type: 'tool_use', id: 'call_Paris0123456789abcdef', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_Lyon0123456789abcdefg', name: 'get_weather', input: { city: 'Lyon' } },
    ])
    expect(new Set(deltas)).toEqual(new Set(['input_json_delta']))
    expect(final.usage).toMatchObject({ input_tokens: 80, output_tokens: 40 })
  })

  it('round-trips tools through the simulated provider too', async () => {
    const first = await client.messages.create({
      model: 'sim-fast',
      max_tokens: 100,
      tools: [
        { name: 'lookup', input_schema: { type: 'object', properties: { query: { type: 'string' } } } },
      ],
      tool_choice: { type: 'tool', name: 'lookup' },
      messages: [{ role: 'user', content: 'find invoices' }],
    })
    const use = first.content.find((b) => b.type === 'tool_use')!
    expect(use).toMatchObject({ name: 'lookup', input: { query: 'find invoices' } })
  })

  it('streams from the simulated provider with the SDK text helper', async () => {
    const stream = client.messages.stream({
      model: 'sim-fast',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'stream please' }],
    })
    let text = ''
    stream.on('text', (delta) => {
      text += delta
    })
    const final = await stream.finalMessage()
    expect(text).toBe('Simulated reply from sim-fast: you said "stream please".')
    expect(final.content).toEqual([{ type: 'text', text }])
    expect(final.usage.output_tokens).toBeGreaterThan(0)
  })

  it('raises the SDK error class matching each failure, with Anthropic error types', async () => {
    const limited = await client.messages
      .create({
        model: 'gpt-4o',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
        metadata: step('429', error(429, { headers: { 'retry-after': '3' } })),
      })
      .catch((e: unknown) => e)
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError)
    expect((limited as APIError).error).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error' },
    })
    expect((limited as APIError).headers?.get('retry-after')).toBe('3')

    const unknown = await client.messages
      .create({ model: 'no-such-model', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError)
    expect((unknown as APIError).error).toMatchObject({ error: { type: 'not_found_error' } })

    const invalid = await client.messages
      // @ts-expect-error max_tokens is required by Anthropic's API, and so by the gateway
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e)
    expect(invalid).toBeInstanceOf(Anthropic.BadRequestError)
    expect((invalid as APIError).error).toMatchObject({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: "Invalid request: 'max_tokens' must be an integer >= 1.",
      },
    })

    const down = await client.messages
      .create({
        model: 'gpt-4o',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
        metadata: step('500', error(500)),
      })
      .catch((e: unknown) => e)
    expect(down).toBeInstanceOf(Anthropic.InternalServerError)
    expect((down as APIError).error).toMatchObject({ error: { type: 'api_error' } })
  })

  it('ends a stream that fails after its first byte with an error event the SDK raises', async () => {
    const stream = client.messages.stream({
      model: 'gpt-4o',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
      metadata: step('mid-stream', rawSse(fixture('chat-stream-error.sse'))),
    })
    let text = ''
    const failure = await (async () => {
      for await (const event of stream) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
          text += event.delta.text
      }
    })().catch((e: unknown) => e)
    expect(text).toBe('Partial')
    expect(failure).toBeInstanceOf(Anthropic.APIError)
    expect((failure as APIError).message).toContain('The provider stream failed')
  })
})
