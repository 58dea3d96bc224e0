import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { azureFixture, azureSseFixture, type FakeAzure, startFakeAzureOpenAI } from '../fakes/azure-openai.js'
import { type FakeMistral, mistralCompletion, mistralSseFixture, startFakeMistral } from '../fakes/mistral.js'
import { json, rawSse } from '../fakes/openai.js'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'

/** The official `openai` SDK, unchanged, calling Azure OpenAI and Mistral models through the gateway. */
describe('official openai SDK against Azure OpenAI and Mistral models', () => {
  let azure: FakeAzure
  let mistral: FakeMistral
  let gateway: TestGateway
  let client: OpenAI

  beforeAll(async () => {
    azure = await startFakeAzureOpenAI(
      [
        rawSse(azureSseFixture('chat-stream-text.sse'), { splitAt: 'random' }),
        json(azureFixture('error-content-filter.json'), { status: 400 }),
      ],
      { deployments: ['gpt4o-prod'], apiKey: 'azure-key' },
    )
    mistral = await startFakeMistral([
      rawSse(mistralSseFixture('chat-stream-tools.sse'), { splitAt: 'random' }),
      json(mistralCompletion('Il fait 21 °C à Paris.')),
    ])
    gateway = await startTestGateway({
      providers: {
        azure: { kind: 'azure-openai', base_url: azure.url, api_key: 'azure-key' },
        mistral: { kind: 'mistral', base_url: mistral.url, api_key: 'mistral-test-key' },
      },
      models: {
        'gpt-4o': { provider: 'azure', model: 'gpt4o-prod' },
        'mistral-small': { provider: 'mistral', model: 'mistral-small-latest' },
      },
      routing: { retry: { attempts: 1 } },
    })
    client = new OpenAI({ apiKey: 'gatehouse-test', baseURL: gateway.baseURL, maxRetries: 0 })
  })
  afterAll(async () => {
    await gateway?.close()
    await azure?.close()
    await mistral?.close()
  })

  it('streams from Azure, whose prompt_filter_results chunk never reaches the SDK', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let usage: OpenAI.CompletionUsage | null | undefined
    const chunkIds: string[] = []
    for await (const chunk of stream) {
      chunkIds.push(chunk.id)
      text += chunk.choices[0]?.delta.content ?? ''
      if (chunk.usage) usage = chunk.usage
    }
    expect(text).toBe('Hello from Azure.')
    expect(chunkIds).not.toContain('')
    expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 })
  })

  it('raises a BadRequestError with code content_filter for an Azure content filter refusal', async () => {
    const err = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'something refused' }] })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('content_filter')
  })

  it('round-trips a streamed Mistral tool call with the SDK', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ]
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Météo à Paris ?' }]
    const first = await client.chat.completions
      .stream({
        model: 'mistral-small',
        messages,
        tools,
        tool_choice: 'required',
        seed: 1,
        stream_options: { include_usage: true },
      })
      .finalChatCompletion()
    const call = first.choices[0]!.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall
    expect(call).toMatchObject({
      id: 'D681PevKs',
      function: { name: 'get_weather', arguments: '{"city": "Paris"}' },
    })
    expect(first.usage).toMatchObject({ prompt_tokens: 84, completion_tokens: 20 })

    messages.push(first.choices[0]!.message as OpenAI.ChatCompletionMessageParam)
    messages.push({ role: 'tool', tool_call_id: call.id, content: '21' })
    const second = await client.chat.completions.create({ model: 'mistral-small', messages, tools })
    expect(second.choices[0]!.message.content).toBe('Il fait 21 °C à Paris.')
    const sent = mistral.calls.at(-1)!.body
    expect(sent.messages).toEqual([
      { role: 'user', content: 'Météo à Paris ?' },
      expect.objectContaining({
        role: 'assistant',
        tool_calls: [expect.objectContaining({ id: 'D681PevKs' })],
      }),
      { role: 'tool', tool_call_id: 'D681PevKs', content: '21' },
    ])
    expect(mistral.calls[0]!.body).toMatchObject({ tool_choice: 'any', random_seed: 1 })
  })
})
