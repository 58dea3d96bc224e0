import { afterEach, describe, expect, it } from 'vitest'
import {
  azureError,
  azureFixture,
  azureSseFixture,
  type FakeAzure,
  type FakeAzureOptions,
  startFakeAzureOpenAI,
} from '../fakes/azure-openai.js'
import { chunks, completion, error, json, rawSse, type Step, sse } from '../fakes/openai.js'
import { postJson, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { recordingSleep } from '../helpers/routing.js'
import { parseStream } from '../helpers/sse.js'

const KEY = 'azure-key-0123456789abcdef'
const TOKEN = 'eyJ0eXAiOiJKV1Qi.entra-test-token'

function azureConfig(fake: FakeAzure, provider: Record<string, unknown> = { api_key: KEY }) {
  return {
    providers: { azure: { kind: 'azure-openai', base_url: fake.url, ...provider } },
    models: {
      'gpt-4o': { provider: 'azure', model: 'gpt4o-prod' },
      'text-embedding-3-small': { provider: 'azure', model: 'embed-small', type: 'embeddings' },
    },
    routing: { retry: { attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 5, max_retry_after_s: 30 } },
  }
}

const hi = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }
const DEPLOYMENTS = ['gpt4o-prod', 'embed-small']

describe('azure-openai provider over a real socket', () => {
  let fake: FakeAzure
  let gateway: TestGateway
  afterEach(async () => {
    await gateway?.close()
    await fake?.close()
  })

  const start = async (
    script: Step[],
    provider?: Record<string, unknown>,
    fakeOptions: Partial<FakeAzureOptions> = {},
    opts = {},
  ) => {
    fake = await startFakeAzureOpenAI(script, {
      deployments: DEPLOYMENTS,
      apiKey: KEY,
      adToken: TOKEN,
      ...fakeOptions,
    })
    gateway = await startTestGateway(azureConfig(fake, provider), opts)
  }

  it('calls the deployment path with the default api-version and the api-key header', async () => {
    await start([json(completion('hello from Azure'))], undefined, { apiVersion: '2024-10-21' })
    const res = await postJson(`${gateway.baseURL}/chat/completions`, { ...hi, seed: 3 })
    expect(res.status).toBe(200)
    expect(res.json.choices[0].message.content).toBe('hello from Azure')
    const call = fake.calls[0]!
    expect(call.path).toBe('/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21')
    expect(call.headers['api-key']).toBe(KEY)
    expect(call.headers.authorization).toBeUndefined()
    expect(call.body).toMatchObject({ seed: 3 })
  })

  it('authenticates with an Entra ID token and a configured api_version', async () => {
    await start(
      [json(completion('token ok'))],
      { azure_ad_token: TOKEN, api_version: '2025-04-01-preview' },
      {
        apiVersion: '2025-04-01-preview',
      },
    )
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(200)
    expect(fake.calls[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect(fake.calls[0]!.headers['api-key']).toBeUndefined()
    expect(fake.calls[0]!.path).toContain('api-version=2025-04-01-preview')
  })

  it('uses the v1 API path with the deployment as model when api_version is v1', async () => {
    await start([json(completion('v1 ok'))], { api_key: KEY, api_version: 'v1' })
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(200)
    expect(fake.calls[0]!.path).toBe('/openai/v1/chat/completions')
    expect(fake.calls[0]!.body.model).toBe('gpt4o-prod')
  })

  it('passes tools, image parts and response_format through and returns tool calls', async () => {
    const toolCall = {
      id: 'call_az1',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
    }
    const answer = completion('')
    ;(answer.choices as Array<Record<string, unknown>>)[0] = {
      index: 0,
      message: { role: 'assistant', content: null, tool_calls: [toolCall] },
      finish_reason: 'tool_calls',
    }
    await start([json(answer)])
    const request = {
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather where this photo was taken?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
          ],
        },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
        },
      ],
      tool_choice: 'required',
      response_format: { type: 'json_object' },
    }
    const res = await postJson(`${gateway.baseURL}/chat/completions`, request)
    expect(res.status).toBe(200)
    expect(res.json.choices[0].message.tool_calls).toEqual([toolCall])
    expect(fake.calls[0]!.body).toMatchObject({ ...request, model: 'gpt4o-prod' })
  })

  it('streams the recorded answer split at arbitrary bytes, dropping the prompt_filter_results chunk', async () => {
    await start([rawSse(azureSseFixture('chat-stream-text.sse'), { splitAt: 'random' })])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, {
      ...hi,
      stream: true,
      stream_options: { include_usage: true },
    })
    expect(res.status).toBe(200)
    const { events, content } = parseStream(res.text)
    expect(content).toBe('Hello from Azure.')
    expect(events.at(-1)).toBe('data: [DONE]')
    const data = events.filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)))
    expect(data.some((c) => 'prompt_filter_results' in c)).toBe(false)
    // Only the usage chunk has no choices; content filter annotations on choices pass through.
    expect(data.filter((c) => c.choices.length === 0)).toEqual([
      expect.objectContaining({ usage: expect.any(Object) }),
    ])
    expect(data[1].choices[0].content_filter_results.hate).toEqual({ filtered: false, severity: 'safe' })
    expect(fake.calls[0]!.body.stream_options).toEqual({ include_usage: true })
  })

  it('passes a streamed content_filter finish reason through', async () => {
    const filtered = (
      chunks('partial answer') as Array<{ choices: Array<{ finish_reason: string | null }> }>
    ).map((c) => ({
      ...c,
      choices: c.choices.map((ch) => (ch.finish_reason ? { ...ch, finish_reason: 'content_filter' } : ch)),
    }))
    await start([sse(filtered, { splitAt: 'random' })])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, { ...hi, stream: true })
    expect(res.text).toContain('"finish_reason":"content_filter"')
    expect(parseStream(res.text).content).toBe('partial answer')
  })

  it('maps a content filter refusal (400 content_filter, innererror) to content_filter', async () => {
    await start([json(azureFixture('error-content-filter.json'), { status: 400 })])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(400)
    expect(res.json.error.code).toBe('content_filter')
    expect(res.json.error.message).toContain("Azure OpenAI's content management policy")
    expect(fake.calls).toHaveLength(1)
  })

  it('maps context_length_exceeded', async () => {
    await start([
      error(400, {
        message:
          "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
        code: 'context_length_exceeded',
      }),
    ])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(400)
    expect(res.json.error.code).toBe('context_length_exceeded')
  })

  it('retries a 429 after retry-after-ms and reports 429 with Retry-After when it persists', async () => {
    const { sleep, delaysMs } = recordingSleep()
    const limited = json(azureFixture('error-429.json'), {
      status: 429,
      headers: { 'retry-after-ms': '1500', 'retry-after': '2' },
    })
    await start([limited, json(completion('after wait'))], undefined, {}, { routing: { sleep } })
    expect((await postJson(`${gateway.baseURL}/chat/completions`, hi)).status).toBe(200)
    expect(delaysMs).toEqual([1500])
    await gateway.close()
    await fake.close()
    await start([limited], undefined, {}, { routing: { sleep } })
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('2')
    expect(res.json.error.message).toContain('rate limited')
  })

  it('retries a 503, then answers', async () => {
    await start([
      azureError(503, '503', 'The service is temporarily unable to process your request.'),
      json(completion('ok')),
    ])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(200)
    expect(fake.calls).toHaveLength(2)
  })

  it('turns a wrong key (401) into an auth failure and an unknown deployment (404) into not_found, never leaking the key', async () => {
    await start([json(completion('never'))], { api_key: 'wrong-azure-key-9999' })
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(502)
    expect(res.text).not.toContain('wrong-azure-key-9999')
    expect(gateway.rawLogs()).not.toContain('wrong-azure-key-9999')
    await gateway.close()
    await fake.close()
    await start([json(completion('never'))], undefined, { deployments: ['other'] })
    const missing = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(missing.status).toBe(502)
    const failures = gateway.logs
      .filter((l) => l.msg === 'upstream attempt failed')
      .map((l) => [l.failure, l.status])
    expect(failures).toEqual([['not_found', 404]])
  })

  it('embeds through the deployment path', async () => {
    await start([
      json({
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }],
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 2, total_tokens: 2 },
      }),
    ])
    const res = await postJson(`${gateway.baseURL}/embeddings`, {
      model: 'text-embedding-3-small',
      input: 'hi',
    })
    expect(res.status).toBe(200)
    expect(res.json.data[0].embedding).toEqual([0.1, 0.2])
    expect(fake.calls[0]!.path).toBe('/openai/deployments/embed-small/embeddings?api-version=2024-10-21')
  })
})
