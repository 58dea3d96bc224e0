import { readFileSync } from 'node:fs'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Step as AnthropicStep,
  error as anthropicError,
  type FakeAnthropic,
  message,
  rawSse as rawAnthropicSse,
  startFakeAnthropic,
  textMessage,
} from '../fakes/anthropic.js'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'

const anthropicFixture = (name: string) =>
  readFileSync(new URL(`../fixtures/anthropic/${name}`, import.meta.url), 'utf8')

/** The official `openai` SDK calling an Anthropic model (a fake Anthropic Messages API) through the gateway. */
describe('official openai SDK against an Anthropic model', () => {
  let fake: FakeAnthropic
  let gateway: TestGateway
  let client: OpenAI
  const steps = new Map<string, AnthropicStep>()
  const step = (name: string, s: AnthropicStep) => {
    steps.set(name, s)
    return name
  }
  const callFor = (name: string) => fake.calls.find((c) => c.body.metadata?.user_id === name)!
  const ask = { model: 'claude', messages: [{ role: 'user' as const, content: 'hi' }] }

  beforeAll(async () => {
    fake = await startFakeAnthropic(
      (call) => steps.get(String(call.body.metadata?.user_id)) ?? message(textMessage('default')),
    )
    gateway = await startTestGateway({
      providers: { anthropic: { kind: 'anthropic', base_url: fake.url, api_key: 'sk-ant-upstream' } },
      models: {
        claude: { provider: 'anthropic', model: 'claude-sonnet-4-20250514' },
        'claude-embed': { provider: 'anthropic', type: 'embeddings' },
      },
      routing: {
        retry: { attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 2, max_retry_after_s: 0 },
        breaker: { enabled: false },
      },
    })
    client = new OpenAI({ apiKey: 'gatehouse-test', baseURL: gateway.baseURL, maxRetries: 0 })
  })
  afterAll(async () => {
    await gateway?.close()
    await fake?.close()
  })

  it('creates a chat completion, cached tokens reported', async () => {
    const res = await client.chat.completions.create({
      ...ask,
      user: step('text', message(JSON.parse(anthropicFixture('message-text.json')))),
    })
    expect(res.choices[0]!.message.content).toBe('Bonjour à tous 👋')
    expect(res.choices[0]!.finish_reason).toBe('stop')
    expect(res.usage).toMatchObject({
      prompt_tokens: 2169,
      completion_tokens: 9,
      prompt_tokens_details: { cached_tokens: 2048 },
    })
  })

  it('streams an Anthropic stream split at random byte positions, usage at the end', async () => {
    const stream = await client.chat.completions.create({
      ...ask,
      stream: true,
      stream_options: { include_usage: true },
      user: step('stream', rawAnthropicSse(anthropicFixture('stream-text.sse'), { splitAt: 'random' })),
    })
    let text = ''
    let usage: OpenAI.CompletionUsage | null | undefined
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      if (chunk.usage) usage = chunk.usage
    }
    expect(text).toBe('Bonjour à tous 👋')
    expect(usage).toMatchObject({ prompt_tokens: 1049, completion_tokens: 15 })
  })

  it('round-trips tool calls and tool results with the same ids', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ]
    const first = await client.chat.completions.create({
      ...ask,
      tools,
      user: step('tools-1', message(JSON.parse(anthropicFixture('message-tool-use.json')))),
    })
    const reply = first.choices[0]!.message
    expect(first.choices[0]!.finish_reason).toBe('tool_calls')
    expect(reply.tool_calls!.map((c) => c.id)).toEqual([
      'toolu_01A09q90qw90lq917835lq9',
      'toolu_01B28r71xy45mn662893pq1',
    ])
    await client.chat.completions.create({
      ...ask,
      tools,
      messages: [
        ...ask.messages,
        reply,
        { role: 'tool', tool_call_id: 'toolu_01A09q90qw90lq917835lq9', content: '18C' },
        { role: 'tool', tool_call_id: 'toolu_01B28r71xy45mn662893pq1', content: '15C' },
      ],
      user: step('tools-2', message(textMessage('Paris 18C, Lyon 15C'))),
    })
    const sent = callFor('tools-2').body.messages
    expect(
      sent[1].content.filter((b: { type: string }) => b.type === 'tool_use').map((b: { id: string }) => b.id),
    ).toEqual(['toolu_01A09q90qw90lq917835lq9', 'toolu_01B28r71xy45mn662893pq1'])
    expect(sent[2]).toEqual({
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 'toolu_01A09q90qw90lq917835lq9',
          content: [{ type: 'text', text: '18C' }],
        },
        {
          type: 'tool_result',
          tool_use_id: 'toolu_01B28r71xy45mn662893pq1',
          content: [{ type: 'text', text: '15C' }],
        },
      ],
    })
  })

  it('aggregates streamed tool calls with the SDK stream helper', async () => {
    const runner = client.chat.completions.stream({
      ...ask,
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      user: step(
        'stream-tools',
        rawAnthropicSse(anthropicFixture('stream-tool-use.sse'), { splitAt: 'random' }),
      ),
    })
    const final = await runner.finalChatCompletion()
    const msg = final.choices[0]!.message
    expect(msg.content).toBe('Checking both cities.')
    expect(
      msg.tool_calls!.map((c) => c.type === 'function' && [c.id, JSON.parse(c.function.arguments)]),
    ).toEqual([
      ['toolu_01T1x1fJ34qAmk2tNTrN7Up6', { city: 'Paris' }],
      ['toolu_01Lyon4qAmk2tNTrN7Up6x', { city: 'Lyon' }],
    ])
  })

  it('answers JSON schema output through a forced tool, and sends images as base64 sources', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }
    const answer = {
      ...textMessage(''),
      content: [{ type: 'tool_use', id: 'toolu_json', name: 'city', input: { city: 'Paris' } }],
      stop_reason: 'tool_use',
    }
    const res = await client.chat.completions.create({
      model: 'claude',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Which city?' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
          ],
        },
      ],
      response_format: { type: 'json_schema', json_schema: { name: 'city', schema } },
      user: step('json', message(answer)),
    })
    expect(JSON.parse(res.choices[0]!.message.content!)).toEqual({ city: 'Paris' })
    expect(res.choices[0]!.finish_reason).toBe('stop')
    const body = callFor('json').body
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'city' })
    expect(body.messages[0].content[1]).toEqual({
      type: 'image',
      source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' },
    })
  })

  it('raises the SDK error class for each Anthropic failure', async () => {
    const fail = (name: string, s: AnthropicStep) =>
      client.chat.completions.create({ ...ask, user: step(name, s) }).catch((e: unknown) => e)
    expect(
      await fail(
        '429',
        anthropicError('rate_limit_error', 'Rate limited', { headers: { 'retry-after': '4' } }),
      ),
    ).toBeInstanceOf(OpenAI.RateLimitError)
    const overloaded = await fail('529', anthropicError('overloaded_error', 'Overloaded'))
    expect(overloaded).toBeInstanceOf(OpenAI.InternalServerError)
    expect((overloaded as InstanceType<typeof OpenAI.APIError>).status).toBe(502)
    const tooLong = await fail(
      'too-long',
      anthropicError('invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum'),
    )
    expect(tooLong).toBeInstanceOf(OpenAI.BadRequestError)
    expect((tooLong as InstanceType<typeof OpenAI.APIError>).code).toBe('context_length_exceeded')
    const embed = await client.embeddings
      .create({ model: 'claude-embed', input: 'x' })
      .catch((e: unknown) => e)
    expect(embed).toBeInstanceOf(OpenAI.BadRequestError)
    expect((embed as InstanceType<typeof OpenAI.APIError>).code).toBe('unsupported_operation')
  })
})
