import { readFileSync } from 'node:fs'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  awsError,
  type BedrockCall,
  type BedrockStep,
  converseText,
  type FakeBedrock,
  json,
  startFakeBedrock,
  stream,
  TEST_CREDENTIALS,
  textEvents,
} from '../fakes/bedrock.js'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/bedrock/${name}`, import.meta.url), 'utf8'))

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
}

/** The fake answers by the text of the conversation's first user message. */
function firstUserText(call: BedrockCall): string {
  const first = call.body.messages?.[0]?.content?.find((b: { text?: string }) => b.text !== undefined)
  return first?.text ?? ''
}

/**
 * The official `openai` SDK, unchanged, calling a Bedrock model through the gateway: the gateway
 * signs for AWS, speaks Converse / ConverseStream to the fake Bedrock (which checks the SigV4
 * signature), and the SDK sees OpenAI's shapes.
 */
describe('official openai SDK -> gateway -> Bedrock', () => {
  let fake: FakeBedrock
  let gateway: TestGateway
  let client: OpenAI
  const script = new Map<string, (call: BedrockCall) => BedrockStep>()

  beforeAll(async () => {
    fake = await startFakeBedrock((call) =>
      call.action === 'invoke'
        ? json({ embedding: [call.body.inputText.length, 0.5], inputTextTokenCount: 2 })
        : (script.get(firstUserText(call))?.(call) ?? json(converseText('default'))),
    )
    gateway = await startTestGateway({
      providers: {
        aws: {
          kind: 'bedrock',
          base_url: fake.url,
          region: TEST_CREDENTIALS.region,
          aws_access_key_id: TEST_CREDENTIALS.accessKeyId,
          aws_secret_access_key: TEST_CREDENTIALS.secretAccessKey,
        },
      },
      models: {
        claude: { provider: 'aws', model: 'anthropic.claude-3-5-sonnet-20240620-v1:0' },
        titan: { provider: 'aws', model: 'amazon.titan-embed-text-v2:0', type: 'embeddings' },
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
    script.set('capital of France?', () => json(fixture('converse-text.json')))
    const res = await client.chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'system', content: 'Answer in one sentence.' },
        { role: 'user', content: 'capital of France?' },
      ],
      max_tokens: 100,
    })
    expect(res.choices[0]!.message.content).toBe('Paris is the capital of France.')
    expect(res.choices[0]!.finish_reason).toBe('stop')
    expect(res.usage).toMatchObject({ prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 })
  })

  it('streams a chat completion, with usage at the end', async () => {
    script.set('tell me a story', () =>
      stream(textEvents('Once upon a time, in Tübingen…', { pieceChars: 5 }), { splitAt: 'random' }),
    )
    const chunks = await client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'tell me a story' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let usage: OpenAI.CompletionUsage | null | undefined
    const finishes: Array<string | null> = []
    for await (const chunk of chunks) {
      text += chunk.choices[0]?.delta.content ?? ''
      if (chunk.choices[0]) finishes.push(chunk.choices[0].finish_reason)
      if (chunk.usage) usage = chunk.usage
    }
    expect(text).toBe('Once upon a time, in Tübingen…')
    expect(finishes.at(-1)).toBe('stop')
    expect(usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 })
  })

  it('round-trips tool calls: the tool result reaches Bedrock under the toolUseId it gave', async () => {
    script.set('weather in Paris and Lyon?', (call) => {
      const last = call.body.messages.at(-1)
      const results = last.content.filter((b: Record<string, unknown>) => 'toolResult' in b)
      if (results.length === 0) return json(fixture('converse-tool-use.json'))
      const ids = results.map((b: any) => b.toolResult.toolUseId)
      const texts = results.map((b: any) => b.toolResult.content[0].text)
      return json(converseText(`results for ${ids.join(',')}: ${texts.join(' / ')}`))
    })
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'weather in Paris and Lyon?' },
    ]
    const first = await client.chat.completions.create({ model: 'claude', messages, tools: [weatherTool] })
    const message = first.choices[0]!.message
    expect(first.choices[0]!.finish_reason).toBe('tool_calls')
    const calls = message.tool_calls as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall[]
    expect(calls.map((c) => JSON.parse(c.function.arguments).city)).toEqual(['Paris', 'Lyon'])
    messages.push(message)
    for (const call of calls) {
      messages.push({
        role: 'tool',
        tool_call_id: call.id,
        content: `${JSON.parse(call.function.arguments).city}: 18°C`,
      })
    }
    const second = await client.chat.completions.create({ model: 'claude', messages, tools: [weatherTool] })
    expect(second.choices[0]!.message.content).toBe(
      'results for tooluse_kZJMlvQmRJ6eAyJE5GIl7Q,tooluse_3n9cQ1bYT2uKq8XyZ0aB4w: Paris: 18°C / Lyon: 18°C',
    )
    // What Bedrock received on the second call: the assistant's toolUse blocks under the same ids.
    const sent = fake.calls.at(-1)!.body.messages
    expect(sent[1].content.filter((b: any) => b.toolUse).map((b: any) => b.toolUse.toolUseId)).toEqual([
      'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
      'tooluse_3n9cQ1bYT2uKq8XyZ0aB4w',
    ])
  })

  it('streams tool calls that the SDK assembles into complete calls', async () => {
    script.set('stream the tools', () =>
      stream(fixture('stream-tool-use.events.json'), { splitAt: 'random' }),
    )
    const runner = client.chat.completions.stream({
      model: 'claude',
      messages: [{ role: 'user', content: 'stream the tools' }],
      tools: [weatherTool],
    })
    const final = await runner.finalChatCompletion()
    const message = final.choices[0]!.message
    expect(message.content).toBe('Checking the weather.')
    expect(
      (message.tool_calls as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall[]).map((c) => [
        c.id,
        c.function.name,
        JSON.parse(c.function.arguments),
      ]),
    ).toEqual([
      ['tooluse_Qy1bGJ4PTQ2Z3mWkXyZ1aQ', 'get_weather', { city: 'Paris', unit: 'celsius' }],
      ['tooluse_8sLkPq0dRe2Jm4NbVc7XyA', 'get_time', { tz: 'Europe/Paris' }],
    ])
    expect(final.choices[0]!.finish_reason).toBe('tool_calls')
  })

  it('raises the SDK typed errors: RateLimitError for throttling, BadRequestError for an unsupported feature', async () => {
    script.set('throttle me', () => awsError(429, 'ThrottlingException', 'Too many requests'))
    await expect(
      client.chat.completions.create({
        model: 'claude',
        messages: [{ role: 'user', content: 'throttle me' }],
      }),
    ).rejects.toBeInstanceOf(OpenAI.RateLimitError)
    const err = await client.chat.completions
      .create({
        model: 'claude',
        messages: [{ role: 'user', content: 'json please' }],
        response_format: { type: 'json_object' },
      })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('Bedrock')
  })

  it('gets structured output (response_format json_schema) that the SDK parses', async () => {
    script.set('where is the Louvre?', (call) =>
      call.body.outputConfig?.textFormat?.type === 'json_schema'
        ? json(converseText('{"city":"Paris","country":"France"}'))
        : awsError(400, 'ValidationException', 'expected outputConfig'),
    )
    const res = await client.chat.completions.parse({
      model: 'claude',
      messages: [{ role: 'user', content: 'where is the Louvre?' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'place',
          strict: true,
          schema: {
            type: 'object',
            properties: { city: { type: 'string' }, country: { type: 'string' } },
            required: ['city', 'country'],
            additionalProperties: false,
          },
        },
      },
    })
    expect(res.choices[0]!.message.parsed).toEqual({ city: 'Paris', country: 'France' })
  })

  it('creates embeddings with Titan', async () => {
    const res = await client.embeddings.create({
      model: 'titan',
      input: ['one', 'three'],
      encoding_format: 'float',
    })
    expect(res.data.map((d) => d.embedding)).toEqual([
      [3, 0.5],
      [5, 0.5],
    ])
    expect(res.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 })
  })
})
