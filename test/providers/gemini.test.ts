import { afterEach, describe, expect, it } from 'vitest'
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
import { json, raw, rawSse, reset } from '../fakes/openai.js'
import { postJson, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { recordingSleep } from '../helpers/routing.js'
import { parseStream } from '../helpers/sse.js'

const VERTEX = { project: 'acme-prod-1', location: 'europe-west4', token: 'ya29.vertex-test-token' }
const AUTH = { apiKey: 'gemini-test-key', vertex: VERTEX }

function geminiConfig(fake: FakeGemini, providerExtra: Record<string, unknown> = {}) {
  return {
    providers: {
      gemini: { kind: 'gemini', base_url: fake.url, api_key: 'gemini-test-key', ...providerExtra },
      vertex: {
        kind: 'gemini',
        base_url: fake.vertexUrl,
        vertex: { project: VERTEX.project, location: VERTEX.location },
        access_token: VERTEX.token,
      },
    },
    models: {
      flash: { provider: 'gemini', model: 'gemini-2.5-flash' },
      'flash-lenient': { provider: 'gemini', model: 'gemini-2.5-flash', drop_params: ['logprobs'] },
      'vertex-flash': { provider: 'vertex', model: 'gemini-2.5-flash' },
      embed: { provider: 'gemini', model: 'gemini-embedding-001', type: 'embeddings' },
      'vertex-embed': { provider: 'vertex', model: 'gemini-embedding-001', type: 'embeddings' },
    },
    routing: { retry: { attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 5, max_retry_after_s: 30 } },
  }
}

const hi = (model = 'flash') => ({ model, messages: [{ role: 'user', content: 'hi' }] })

describe('gemini provider over a real socket', () => {
  let fake: FakeGemini
  let gateway: TestGateway
  afterEach(async () => {
    await gateway?.close()
    await fake?.close()
  })

  const start = async (script: Parameters<typeof startFakeGemini>[0], extra = {}, opts = {}) => {
    fake = await startFakeGemini(script, AUTH)
    gateway = await startTestGateway(geminiConfig(fake, extra), opts)
    return gateway
  }

  it('calls generateContent on the Gemini API with the key header and translates the answer', async () => {
    await start([json(JSON.parse(geminiFixture('chat-text.json')))])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, {
      model: 'flash',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Capital of France?' },
      ],
      max_tokens: 50,
      temperature: 0.2,
      stop: ['\n\n'],
    })
    expect(res.status).toBe(200)
    expect(res.json.choices[0].message).toEqual({
      role: 'assistant',
      content: 'Paris is the capital of France.',
    })
    expect(res.json.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 7, total_tokens: 16 })
    expect(res.headers.get('x-gatehouse-provider')).toBe('gemini')
    const call = fake.calls[0]!
    expect(call.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent')
    expect(call.headers['x-goog-api-key']).toBe('gemini-test-key')
    expect(call.body).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Capital of France?' }] }],
      generationConfig: { maxOutputTokens: 50, temperature: 0.2, stopSequences: ['\n\n'] },
    })
  })

  it('calls Vertex AI with the project/location path and a bearer token', async () => {
    await start([json(geminiText('from vertex'))])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi('vertex-flash'))
    expect(res.status).toBe(200)
    expect(res.json.choices[0].message.content).toBe('from vertex')
    const call = fake.calls[0]!
    expect(call.path).toBe(
      '/v1/projects/acme-prod-1/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent',
    )
    expect(call.headers.authorization).toBe(`Bearer ${VERTEX.token}`)
    expect(call.headers['x-goog-api-key']).toBeUndefined()
  })

  it('streams the recorded SSE split at arbitrary byte positions, usage when asked', async () => {
    await start([rawSse(geminiFixture('stream-text.sse'), { splitAt: 'random' })])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, {
      ...hi(),
      stream: true,
      stream_options: { include_usage: true },
    })
    expect(res.status).toBe(200)
    const { events, content } = parseStream(res.text)
    expect(content).toBe('The capital of France is Paris — über schön 🎉.')
    expect(events.at(-1)).toBe('data: [DONE]')
    const usage = JSON.parse(events.at(-2)!.slice(6))
    expect(usage.choices).toEqual([])
    expect(usage.usage).toMatchObject({
      prompt_tokens: 9,
      completion_tokens: 36,
      prompt_tokens_details: { cached_tokens: 4 },
    })
    expect(fake.calls[0]!.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse')
  })

  it('streams from Vertex AI too, and leaves usage out unless asked', async () => {
    await start([geminiSse(geminiTextEvents('Vertex streaming works.'), { splitAt: 'random' })])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, { ...hi('vertex-flash'), stream: true })
    expect(parseStream(res.text).content).toBe('Vertex streaming works.')
    expect(res.text).not.toContain('"usage"')
    expect(fake.calls[0]!.path).toContain(':streamGenerateContent?alt=sse')
  })

  it('streams tool calls with ids, arguments and finish reason tool_calls', async () => {
    await start([rawSse(geminiFixture('stream-tools.sse'), { splitAt: 'random' })])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, {
      ...hi(),
      stream: true,
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
    })
    const chunks = parseStream(res.text)
      .events.filter((e) => e.startsWith('data: {'))
      .map((e) => JSON.parse(e.slice(6)))
    const calls = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? [])
    expect(calls.map((c: { function: { arguments: string } }) => JSON.parse(c.function.arguments))).toEqual([
      { city: 'Paris', unit: 'celsius' },
      { city: 'Berlin', unit: 'celsius' },
    ])
    expect(calls[1].id).toBe('call_1')
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls')
  })

  it('translates tools and tool_choice, and a tool result back to a functionResponse', async () => {
    await start([
      json(geminiCall('get_weather', { city: 'Paris' })),
      json(geminiText('It is 21 °C in Paris.')),
    ])
    const tools = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
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
    const messages: Array<Record<string, unknown>> = [{ role: 'user', content: 'Weather in Paris?' }]
    const first = await postJson(`${gateway.baseURL}/chat/completions`, {
      model: 'flash',
      messages,
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    })
    expect(first.status).toBe(200)
    const call = first.json.choices[0].message.tool_calls[0]
    expect(first.json.choices[0].finish_reason).toBe('tool_calls')
    expect(call).toEqual({
      id: 'call_0',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    })
    expect(fake.calls[0]!.body.toolConfig).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] },
    })
    messages.push(first.json.choices[0].message, {
      role: 'tool',
      tool_call_id: call.id,
      content: '{"temp_c":21}',
    })
    const second = await postJson(`${gateway.baseURL}/chat/completions`, { model: 'flash', messages, tools })
    expect(second.json.choices[0].message.content).toBe('It is 21 °C in Paris.')
    expect(fake.calls[1]!.body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      {
        role: 'model',
        // Gemini sent no signature: the documented placeholder keeps Gemini 3's validation happy.
        parts: [
          {
            functionCall: { name: 'get_weather', args: { city: 'Paris' } },
            thoughtSignature: 'skip_thought_signature_validator',
          },
        ],
      },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp_c: 21 } } }] },
    ])
  })

  it('does tools, images and JSON on Vertex AI with the same translation', async () => {
    await start([json(geminiCall('describe', { label: 'cat' }))])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, {
      model: 'vertex-flash',
      messages: [
        {
          role: 'user',
          content: [{ type: 'image_url', image_url: { url: 'gs://acme-bucket/cat.webp' } }],
        },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'describe',
            parameters: { type: 'object', properties: { label: { type: 'string' } } },
          },
        },
      ],
      response_format: { type: 'json_object' },
    })
    expect(res.status).toBe(200)
    expect(res.json.choices[0].message.tool_calls[0].function).toEqual({
      name: 'describe',
      arguments: '{"label":"cat"}',
    })
    const body = fake.calls[0]!.body
    expect(fake.calls[0]!.path).toContain('/projects/acme-prod-1/locations/europe-west4/')
    expect(body.contents).toEqual([
      {
        role: 'user',
        parts: [{ fileData: { mimeType: 'image/webp', fileUri: 'gs://acme-bucket/cat.webp' } }],
      },
    ])
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'describe', parameters: { type: 'object', properties: { label: { type: 'string' } } } },
        ],
      },
    ])
    expect(body.generationConfig).toEqual({ responseMimeType: 'application/json' })
  })

  it('sends images inline and as fileData (vision)', async () => {
    await start([json(geminiText('A cat.'))])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, {
      model: 'flash',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQSkZJRg==' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
          ],
        },
      ],
    })
    expect(res.status).toBe(200)
    expect((fake.calls[0]!.body.contents as Array<{ parts: unknown[] }>)[0]!.parts).toEqual([
      { text: 'What is this?' },
      { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQSkZJRg==' } },
      { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/cat.png' } },
    ])
  })

  it('asks for JSON with a response schema (structured output)', async () => {
    await start([json(geminiText('{"city":"Paris"}'))])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, {
      ...hi(),
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'c',
          strict: true,
          schema: { type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false },
        },
      },
    })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.json.choices[0].message.content)).toEqual({ city: 'Paris' })
    expect(fake.calls[0]!.body.generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseSchema: { type: 'object', properties: { city: { type: 'string' } } },
    })
  })

  it('refuses an unsupported parameter with a 400 naming Gemini, unless the model drops it', async () => {
    await start([json(geminiText('ok'))])
    const refused = await postJson(`${gateway.baseURL}/chat/completions`, { ...hi(), logprobs: true })
    expect(refused.status).toBe(400)
    expect(refused.json.error).toMatchObject({ code: 'unsupported_operation', param: 'logprobs' })
    expect(refused.json.error.message).toContain('Gemini does not support')
    const streamed = await postJson(`${gateway.baseURL}/chat/completions`, {
      ...hi(),
      stream: true,
      logit_bias: { 1: 1 },
    })
    expect(streamed.status).toBe(400)
    expect(streamed.json.error).toMatchObject({ code: 'unsupported_operation', param: 'logit_bias' })
    expect(fake.calls).toHaveLength(0)
    const dropped = await postJson(`${gateway.baseURL}/chat/completions`, {
      ...hi('flash-lenient'),
      logprobs: true,
    })
    expect(dropped.status).toBe(200)
  })

  it('retries a 429 after the RetryInfo delay and reports 429 with Retry-After when it persists', async () => {
    const { sleep, delaysMs } = recordingSleep()
    const quota = json(JSON.parse(geminiFixture('error-429.json')), { status: 429 })
    await start([quota, json(geminiText('after the wait'))], {}, { routing: { sleep } })
    const ok = await postJson(`${gateway.baseURL}/chat/completions`, hi())
    expect(ok.status).toBe(200)
    expect(ok.headers.get('x-gatehouse-attempts')).toBe('2')
    expect(delaysMs).toEqual([7000])
    await gateway.close()
    await fake.close()
    await start([quota], {}, { routing: { sleep } })
    const limited = await postJson(`${gateway.baseURL}/chat/completions`, hi())
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('7')
    expect(limited.json.error.code).toBe('rate_limit_exceeded')
  })

  it('retries a 503 UNAVAILABLE, then answers', async () => {
    await start([
      json(JSON.parse(geminiFixture('error-503.json')), { status: 503 }),
      json(geminiText('recovered')),
    ])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi())
    expect(res.status).toBe(200)
    expect(res.json.choices[0].message.content).toBe('recovered')
    expect(fake.calls).toHaveLength(2)
  })

  it("passes a 400 INVALID_ARGUMENT back with Google's message and maps context length", async () => {
    await start([
      googleError(
        400,
        'INVALID_ARGUMENT',
        '* GenerateContentRequest.generation_config.max_output_tokens: must be positive',
      ),
      json(JSON.parse(geminiFixture('error-400-context.json')), { status: 400 }),
    ])
    const bad = await postJson(`${gateway.baseURL}/chat/completions`, hi())
    expect(bad.status).toBe(400)
    expect(bad.json.error.code).toBe('upstream_bad_request')
    expect(bad.json.error.message).toContain('max_output_tokens: must be positive')
    const long = await postJson(`${gateway.baseURL}/chat/completions`, hi())
    expect(long.status).toBe(400)
    expect(long.json.error.code).toBe('context_length_exceeded')
    expect(long.json.error.message).toContain('exceeds the maximum number of tokens')
  })

  it('turns a wrong key (400 API_KEY_INVALID) and a wrong Vertex token (401) into auth failures without leaking them', async () => {
    fake = await startFakeGemini([json(geminiText('never'))], AUTH)
    const config = geminiConfig(fake, { api_key: 'wrong-key-0123' })
    ;(config.providers.vertex as Record<string, unknown>).access_token = 'ya29.expired-token'
    gateway = await startTestGateway(config)
    for (const model of ['flash', 'vertex-flash']) {
      const res = await postJson(`${gateway.baseURL}/chat/completions`, hi(model))
      expect(res.status).toBe(502)
      expect(res.text).not.toContain('wrong-key-0123')
      expect(res.text).not.toContain('expired-token')
    }
    expect(fake.calls).toHaveLength(2)
    expect(gateway.rawLogs()).not.toContain('wrong-key-0123')
    const failures = gateway.logs.filter((l) => l.msg === 'upstream attempt failed').map((l) => l.failure)
    expect(failures).toEqual(['auth', 'auth'])
  })

  it('turns a blocked prompt into a content_filter 400, streaming or not', async () => {
    const blocked = JSON.parse(geminiFixture('blocked-prompt.json'))
    await start([json(blocked), geminiSse([blocked])])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi())
    expect(res.status).toBe(400)
    expect(res.json.error.code).toBe('content_filter')
    expect(res.json.error.message).toContain('PROHIBITED_CONTENT')
    const streamed = await postJson(`${gateway.baseURL}/chat/completions`, { ...hi(), stream: true })
    expect(streamed.status).toBe(400)
    expect(streamed.json.error.code).toBe('content_filter')
  })

  it('ends a stream cut before its finish reason with an error event, and an error event mid-stream too', async () => {
    const events = geminiTextEvents('never finished')
    await start([
      geminiSse(events.slice(0, 2)),
      geminiSse([
        ...events.slice(0, 1),
        { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } },
      ]),
    ])
    for (let i = 0; i < 2; i++) {
      const res = await postJson(`${gateway.baseURL}/chat/completions`, { ...hi(), stream: true })
      expect(res.status).toBe(200)
      expect(res.text).toContain('"error"')
      expect(res.text).not.toContain('[DONE]')
    }
  })

  it('retries a connection reset and a non-JSON answer', async () => {
    await start(
      [reset(), raw('<html>502 Bad Gateway</html>', { status: 200 }), json(geminiText('third time'))],
      {},
      {},
    )
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi())
    // attempts: 2 per target, so the third step is not reached: the last failure decides.
    expect(res.status).toBe(502)
    expect(fake.calls).toHaveLength(2)
  })

  it('embeds one text with embedContent and several with batchEmbedContents, base64 on request', async () => {
    await start([
      json({ embedding: { values: [0.5, -0.25, 1] } }),
      json({ embeddings: [{ values: [1, 2] }, { values: [3, 4] }] }),
    ])
    const one = await postJson(`${gateway.baseURL}/embeddings`, {
      model: 'embed',
      input: 'hello',
      dimensions: 3,
    })
    expect(one.status).toBe(200)
    expect(one.json.data).toEqual([{ object: 'embedding', index: 0, embedding: [0.5, -0.25, 1] }])
    expect(fake.calls[0]!.path).toBe('/v1beta/models/gemini-embedding-001:embedContent')
    expect(fake.calls[0]!.body).toEqual({ content: { parts: [{ text: 'hello' }] }, outputDimensionality: 3 })
    const many = await postJson(`${gateway.baseURL}/embeddings`, {
      model: 'embed',
      input: ['a', 'b'],
      encoding_format: 'base64',
    })
    expect(fake.calls[1]!.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents')
    expect(fake.calls[1]!.body).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] } },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'b' }] } },
      ],
    })
    const decoded = many.json.data.map((d: { embedding: string }) => {
      const bytes = Buffer.from(d.embedding, 'base64')
      return [...new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)]
    })
    expect(decoded).toEqual([
      [1, 2],
      [3, 4],
    ])
  })

  it('embeds on Vertex AI with predict, counting tokens', async () => {
    await start([
      json({
        predictions: [
          { embeddings: { values: [0.1, 0.2], statistics: { token_count: 3, truncated: false } } },
        ],
      }),
    ])
    const res = await postJson(`${gateway.baseURL}/embeddings`, {
      model: 'vertex-embed',
      input: ['hello there'],
    })
    expect(res.status).toBe(200)
    expect(res.json.data[0].embedding).toEqual([0.1, 0.2])
    expect(res.json.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 })
    expect(fake.calls[0]!.path).toBe(
      '/v1/projects/acme-prod-1/locations/europe-west4/publishers/google/models/gemini-embedding-001:predict',
    )
    expect(fake.calls[0]!.body).toEqual({ instances: [{ content: 'hello there' }] })
  })
})
