import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type FakeGemini,
  geminiCall,
  geminiFixture,
  geminiSse,
  geminiText,
  geminiTextEvents,
  googleError,
  startFakeGemini,
} from '../fakes/gemini.js'
import { json, rawSse, type Step } from '../fakes/openai.js'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'

/**
 * The official `openai` SDK, unchanged, calling a Gemini model through the gateway. The fake
 * Gemini picks its answer by the last user text (`step:<name>`), so each test scripts its own.
 */
describe('official openai SDK against a Gemini model', () => {
  let fake: FakeGemini
  let gateway: TestGateway
  let client: OpenAI
  const steps = new Map<string, Step>()

  const lastUserText = (body: Record<string, unknown>): string => {
    const contents = (body.contents as Array<{ role: string; parts: Array<{ text?: string }> }>) ?? []
    const texts = contents.filter((c) => c.role === 'user').flatMap((c) => c.parts.map((p) => p.text ?? ''))
    return texts.find((t) => t.startsWith('step:')) ?? ''
  }

  beforeAll(async () => {
    fake = await startFakeGemini((call) => {
      if (call.path.includes(':embedContent')) return steps.get('embed') ?? json({})
      const name = lastUserText(call.body).slice('step:'.length)
      const queued = steps.get(
        `${name}#${fake.calls.filter((c) => lastUserText(c.body) === `step:${name}`).length}`,
      )
      return queued ?? steps.get(name) ?? json(geminiText('default'))
    })
    gateway = await startTestGateway({
      providers: { google: { kind: 'gemini', base_url: fake.url, api_key: 'gemini-test-key' } },
      models: {
        'gemini-flash': { provider: 'google', model: 'gemini-2.5-flash' },
        'gemini-embed': { provider: 'google', model: 'gemini-embedding-001', type: 'embeddings' },
      },
      routing: { retry: { attempts: 1 } },
    })
    client = new OpenAI({ apiKey: 'gatehouse-test', baseURL: gateway.baseURL, maxRetries: 0 })
  })
  afterAll(async () => {
    await gateway?.close()
    await fake?.close()
  })

  it('creates a chat completion', async () => {
    steps.set('text', json(JSON.parse(geminiFixture('chat-text.json'))))
    const res = await client.chat.completions.create({
      model: 'gemini-flash',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'step:text' },
      ],
    })
    expect(res.choices[0]!.message.content).toBe('Paris is the capital of France.')
    expect(res.choices[0]!.finish_reason).toBe('stop')
    expect(res.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 7, total_tokens: 16 })
  })

  it('streams a chat completion, with usage when asked', async () => {
    steps.set('stream', rawSse(geminiFixture('stream-text.sse'), { splitAt: 'random' }))
    const stream = await client.chat.completions.create({
      model: 'gemini-flash',
      messages: [{ role: 'user', content: 'step:stream' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let usage: OpenAI.CompletionUsage | undefined | null
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      if (chunk.usage) usage = chunk.usage
    }
    expect(text).toBe('The capital of France is Paris — über schön 🎉.')
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 36, total_tokens: 45 })
  })

  const tools: OpenAI.ChatCompletionTool[] = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Current weather',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string' } },
          required: ['city'],
          additionalProperties: false,
        },
        strict: true,
      },
    },
  ]

  it('round-trips a tool call: the SDK gets tool_calls, sends the result, Gemini gets a functionResponse', async () => {
    steps.set('tools#1', json(geminiCall('get_weather', { city: 'Paris' })))
    steps.set('tools#2', json(geminiText('It is 21 °C in Paris.')))
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'step:tools' }]
    const first = await client.chat.completions.create({ model: 'gemini-flash', messages, tools })
    const message = first.choices[0]!.message
    expect(first.choices[0]!.finish_reason).toBe('tool_calls')
    const call = message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall
    expect(call.function.name).toBe('get_weather')
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' })

    messages.push(message, { role: 'tool', tool_call_id: call.id, content: JSON.stringify({ temp_c: 21 }) })
    const second = await client.chat.completions.create({ model: 'gemini-flash', messages, tools })
    expect(second.choices[0]!.message.content).toBe('It is 21 °C in Paris.')
    const sent = fake.calls.at(-1)!.body.contents as Array<{ role: string; parts: unknown[] }>
    expect(sent.at(-1)).toEqual({
      role: 'user',
      parts: [{ functionResponse: { name: 'get_weather', response: { temp_c: 21 } } }],
    })
  })

  it('round-trips streamed parallel tool calls, the thought signature included', async () => {
    steps.set('stream-tools#1', rawSse(geminiFixture('stream-tools.sse'), { splitAt: 'random' }))
    steps.set('stream-tools#2', geminiSse(geminiTextEvents('Paris 21 °C, Berlin 18 °C.')))
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'step:stream-tools' }]
    const stream = client.chat.completions.stream({ model: 'gemini-flash', messages, tools })
    const final = await stream.finalChatCompletion()
    const calls = final.choices[0]!.message.tool_calls as OpenAI.ChatCompletionMessageFunctionToolCall[]
    expect(calls.map((c) => JSON.parse(c.function.arguments).city)).toEqual(['Paris', 'Berlin'])
    expect(final.choices[0]!.finish_reason).toBe('tool_calls')

    messages.push(final.choices[0]!.message as OpenAI.ChatCompletionMessageParam)
    messages.push({ role: 'tool', tool_call_id: calls[1]!.id, content: '18' })
    messages.push({ role: 'tool', tool_call_id: calls[0]!.id, content: '21' })
    const answer = client.chat.completions.stream({ model: 'gemini-flash', messages, tools })
    expect((await answer.finalChatCompletion()).choices[0]!.message.content).toBe(
      'Paris 21 °C, Berlin 18 °C.',
    )

    const sent = fake.calls.at(-1)!.body.contents as Array<{
      role: string
      parts: Array<Record<string, any>>
    }>
    const model = sent.find((c) => c.role === 'model')!
    expect(model.parts[0]).toEqual({
      functionCall: { name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } },
      thoughtSignature: 'CiIBVKhc7oP3mJ0zQ+/sig==',
    })
    expect(sent.at(-1)!.parts).toEqual([
      { functionResponse: { name: 'get_weather', response: { output: 18 } } },
      { functionResponse: { name: 'get_weather', response: { output: 21 } } },
    ])
  })

  it('creates embeddings (the SDK asks for base64 and decodes it)', async () => {
    steps.set('embed', json({ embedding: { values: [0.5, -0.25, 1] } }))
    const res = await client.embeddings.create({ model: 'gemini-embed', input: 'hello' })
    expect(res.data[0]!.embedding).toEqual([0.5, -0.25, 1])
    expect(fake.calls.at(-1)!.path).toBe('/v1beta/models/gemini-embedding-001:embedContent')
  })

  it('raises typed SDK errors for Gemini failures', async () => {
    steps.set(
      'quota',
      googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', [
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' },
      ]),
    )
    const err = await client.chat.completions
      .create({ model: 'gemini-flash', messages: [{ role: 'user', content: 'step:quota' }] })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OpenAI.RateLimitError)
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('12')
    const bad = await client.chat.completions
      .create({ model: 'gemini-flash', messages: [{ role: 'user', content: 'hi' }], logprobs: true })
      .catch((e: unknown) => e)
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError)
    expect((bad as Error).message).toContain('Gemini does not support')
  })
})
