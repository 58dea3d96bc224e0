import { readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import {
  awsError,
  converseText,
  type FakeBedrock,
  json,
  reset,
  type StreamItem,
  stall,
  startFakeBedrock,
  stream,
  TEST_CREDENTIALS,
  textEvents,
} from '../fakes/bedrock.js'
import { postJson, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { parseStream } from '../helpers/sse.js'

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/bedrock/${name}`, import.meta.url), 'utf8'))

const CLAUDE = 'anthropic.claude-3-5-sonnet-20240620-v1:0'
const PROFILE =
  'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0'

function bedrockConfig(
  url: string,
  provider: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) {
  return {
    providers: {
      aws: {
        kind: 'bedrock',
        base_url: url,
        region: TEST_CREDENTIALS.region,
        aws_access_key_id: TEST_CREDENTIALS.accessKeyId,
        aws_secret_access_key: TEST_CREDENTIALS.secretAccessKey,
        ...provider,
      },
    },
    models: {
      claude: { provider: 'aws', model: CLAUDE },
      profile: { provider: 'aws', model: PROFILE },
      titan: { provider: 'aws', model: 'amazon.titan-embed-text-v2:0', type: 'embeddings' },
      cohere: { provider: 'aws', model: 'cohere.embed-multilingual-v3', type: 'embeddings' },
      llama: { provider: 'aws', model: 'meta.llama3-8b-instruct-v1:0', type: 'embeddings' },
    },
    routing: { retry: { attempts: 1, initial_backoff_ms: 1, max_backoff_ms: 2, max_retry_after_s: 0 } },
    ...extra,
  }
}

const hi = { model: 'claude', messages: [{ role: 'user', content: 'hi' }] }

describe('bedrock provider over a real socket', () => {
  let fake: FakeBedrock
  let gateway: TestGateway
  afterEach(async () => {
    await gateway?.close()
    await fake?.close()
  })

  const chat = (body: unknown = hi) => postJson(`${gateway.baseURL}/chat/completions`, body)

  it('sends a signed Converse call the fake verifies, and answers in OpenAI shape', async () => {
    fake = await startFakeBedrock([json(fixture('converse-text.json'))])
    gateway = await startTestGateway(bedrockConfig(fake.url))
    const res = await chat({
      ...hi,
      messages: [{ role: 'system', content: 'Be brief.' }, ...hi.messages],
      max_tokens: 64,
    })
    expect(res.status).toBe(200)
    expect(res.json.choices[0].message).toEqual({
      role: 'assistant',
      content: 'Paris is the capital of France.',
    })
    expect(res.json.usage).toMatchObject({ prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 })
    expect(res.json.id).toBe('chatcmpl-req-fake-0001')
    expect(res.headers.get('x-gatehouse-provider')).toBe('aws')
    expect(res.headers.get('x-gatehouse-model')).toBe(CLAUDE)
    const call = fake.calls[0]!
    expect(call.path).toBe('/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse')
    expect(call.modelId).toBe(CLAUDE)
    expect(call.body).toEqual({
      messages: [{ role: 'user', content: [{ text: 'hi' }] }],
      system: [{ text: 'Be brief.' }],
      inferenceConfig: { maxTokens: 64 },
    })
    expect(call.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDFAKEBEDROCK00001\/\d{8}\/us-east-1\/bedrock\//,
    )
  })

  it('encodes an inference-profile ARN into one path segment, still correctly signed', async () => {
    fake = await startFakeBedrock([json(converseText('from a profile'))])
    gateway = await startTestGateway(bedrockConfig(fake.url))
    const res = await chat({ ...hi, model: 'profile' })
    expect(res.status).toBe(200)
    expect(fake.calls[0]!.modelId).toBe(PROFILE)
    expect(fake.calls[0]!.path).toContain('inference-profile%2Fus.anthropic')
  })

  it('is refused by the fake with a wrong secret (InvalidSignatureException) or key id, and never logs the secret', async () => {
    fake = await startFakeBedrock([json(converseText('never'))])
    gateway = await startTestGateway(
      bedrockConfig(fake.url, { aws_secret_access_key: 'wrong-secret-value-0000' }),
    )
    const res = await chat()
    expect(res.status).toBe(502)
    expect(res.json.error.code).toBe('upstream_error')
    expect(fake.calls).toHaveLength(0)
    expect(gateway.rawLogs()).toContain('auth')
    expect(gateway.rawLogs()).not.toContain('wrong-secret-value-0000')
    await gateway.close()
    gateway = await startTestGateway(bedrockConfig(fake.url, { aws_access_key_id: 'AKIDUNKNOWN' }))
    expect((await chat()).status).toBe(502)
    expect(fake.calls).toHaveLength(0)
  })

  it('signs temporary credentials with their session token', async () => {
    fake = await startFakeBedrock([json(converseText('temporary ok'))], {
      ...TEST_CREDENTIALS,
      sessionToken: 'tok-123',
    })
    gateway = await startTestGateway(bedrockConfig(fake.url, { aws_session_token: 'tok-123' }))
    const res = await chat()
    expect(res.json.choices[0].message.content).toBe('temporary ok')
    expect(fake.calls[0]!.headers['x-amz-security-token']).toBe('tok-123')
  })

  it('sends a Bedrock API key as a bearer token', async () => {
    fake = await startFakeBedrock([json(converseText('key ok'))], { apiKey: 'ABSK-test-key' })
    gateway = await startTestGateway({
      ...bedrockConfig(fake.url),
      providers: {
        aws: { kind: 'bedrock', base_url: fake.url, region: 'us-east-1', api_key: 'ABSK-test-key' },
      },
    })
    expect((await chat()).json.choices[0].message.content).toBe('key ok')
  })

  it('keeps the upstream connection alive across calls', async () => {
    fake = await startFakeBedrock([json(converseText('again'))])
    gateway = await startTestGateway(bedrockConfig(fake.url))
    for (let i = 0; i < 4; i++) expect((await chat()).status).toBe(200)
    expect(fake.connections).toBe(1)
  })

  it('streams a ConverseStream split at random byte positions, usage in the final chunk', async () => {
    const text = 'Streaming über AWS event-stream — emoji 🎉 and ✓ across frame and byte boundaries.'
    fake = await startFakeBedrock([stream(textEvents(text, { pieceChars: 3 }), { splitAt: 'random' })])
    gateway = await startTestGateway(bedrockConfig(fake.url))
    const res = await chat({ ...hi, stream: true, stream_options: { include_usage: true } })
    expect(res.status).toBe(200)
    const { events, content } = parseStream(res.text)
    expect(content).toBe(text)
    expect(events.at(-1)).toBe('data: [DONE]')
    const usage = JSON.parse(events.at(-2)!.slice(6))
    expect(usage.choices).toEqual([])
    expect(usage.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 })
    expect(fake.calls[0]!.path).toBe('/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream')
    expect(fake.calls[0]!.headers.accept).toBe('application/vnd.amazon.eventstream')
  })

  it('streams tool calls with argument deltas in order, whatever the byte split (fixture)', async () => {
    for (const splitAt of ['frames', 'random', [1, 2, 3, 11, 12, 13, 14, 15, 16]] as const) {
      fake = await startFakeBedrock([
        stream(fixture('stream-tool-use.events.json'), { splitAt: splitAt as never }),
      ])
      gateway = await startTestGateway(bedrockConfig(fake.url))
      const res = await chat({ ...hi, stream: true })
      const chunks = parseStream(res.text)
        .events.filter((e) => e.startsWith('data: {'))
        .map((e) => JSON.parse(e.slice(6)))
      const args = ['', '']
      for (const c of chunks)
        for (const t of c.choices[0]?.delta.tool_calls ?? []) args[t.index] += t.function.arguments
      expect(args).toEqual(['{"city": "Paris", "unit": "celsius"}', '{"tz":"Europe/Paris"}'])
      expect(chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).filter((t) => t.id)).toEqual([
        expect.objectContaining({
          id: 'tooluse_Qy1bGJ4PTQ2Z3mWkXyZ1aQ',
          function: { name: 'get_weather', arguments: '' },
        }),
        expect.objectContaining({
          id: 'tooluse_8sLkPq0dRe2Jm4NbVc7XyA',
          function: { name: 'get_time', arguments: '' },
        }),
      ])
      expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls')
      await gateway.close()
      await fake.close()
    }
  })

  it('ends the stream with an error event when an exception arrives mid-stream', async () => {
    fake = await startFakeBedrock([stream(fixture('stream-throttled.events.json'), { splitAt: 'random' })])
    gateway = await startTestGateway(bedrockConfig(fake.url))
    const res = await chat({ ...hi, stream: true })
    expect(res.status).toBe(200)
    const { events, content } = parseStream(res.text)
    expect(content).toBe('The first part')
    expect(events.at(-1)).toContain('"error"')
    expect(events.at(-1)).toContain('Too many tokens')
    expect(res.text).not.toContain('[DONE]')
  })

  it('returns the connection to the pool after each stream', async () => {
    fake = await startFakeBedrock([stream(textEvents('pooled'), { splitAt: 'random' })])
    gateway = await startTestGateway(bedrockConfig(fake.url))
    for (let i = 0; i < 3; i++)
      expect(parseStream((await chat({ ...hi, stream: true })).text).content).toBe('pooled')
    expect(await fake.calls[0]!.aborted).toBe(false)
    expect(fake.connections).toBe(1)
  })

  it('ends a stream that goes silent mid-answer with an error event (idle timeout)', async () => {
    fake = await startFakeBedrock([stream(textEvents('half an answer').slice(0, 3), { ending: 'stall' })])
    gateway = await startTestGateway(bedrockConfig(fake.url, { idle_timeout_ms: 150 }))
    const res = await chat({ ...hi, stream: true })
    const { events, content } = parseStream(res.text)
    expect(content).toBe('half an ')
    expect(events.at(-1)).toContain('idle timeout')
    expect(await fake.calls[0]!.aborted).toBe(true)
  })

  it('cancels the upstream call when the client disconnects mid-stream', async () => {
    fake = await startFakeBedrock([stream(textEvents('x'.repeat(300), { pieceChars: 1 }), { gapMs: 10 })])
    gateway = await startTestGateway(bedrockConfig(fake.url))
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        `${gateway.baseURL}/chat/completions`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.once('data', () => {
            req.destroy()
            resolve()
          })
        },
      )
      req.on('error', () => {})
      req.end(JSON.stringify({ ...hi, stream: true }))
      setTimeout(() => reject(new Error('no data')), 5000)
    })
    const aborted = await Promise.race([
      fake.calls[0]!.aborted,
      new Promise((r) => setTimeout(() => r('timeout'), 3000)),
    ])
    expect(aborted).toBe(true)
  })

  it('retries a stream whose first message is an exception, before anything reached the caller', async () => {
    const throttled: StreamItem[] = [{ exception: 'throttlingException', message: 'slow down' }]
    fake = await startFakeBedrock([stream(throttled), stream(textEvents('second try'))])
    gateway = await startTestGateway(
      bedrockConfig(
        fake.url,
        {},
        { routing: { retry: { attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 2 } } },
      ),
    )
    const res = await chat({ ...hi, stream: true })
    expect(parseStream(res.text).content).toBe('second try')
    expect(res.headers.get('x-gatehouse-attempts')).toBe('2')
  })

  it('reports a stream cut inside a frame as a failed stream, not a clean end', async () => {
    const items = textEvents('never finishes this sentence')
    fake = await startFakeBedrock([stream(items.slice(0, 4), { ending: 'reset' })])
    gateway = await startTestGateway(bedrockConfig(fake.url))
    const res = await chat({ ...hi, stream: true })
    const { events } = parseStream(res.text)
    expect(events.at(-1)).toContain('"error"')
    expect(res.text).not.toContain('[DONE]')
  })

  it.each([
    [
      429,
      'ThrottlingException',
      'Too many requests, please wait before trying again.',
      429,
      'rate_limit_exceeded',
    ],
    [400, 'ValidationException', 'Input is too long for requested model.', 400, 'context_length_exceeded'],
    [
      400,
      'ValidationException',
      'The model returned the following errors: too many input tokens',
      400,
      'context_length_exceeded',
    ],
    [400, 'ValidationException', 'messages.0.content: field required', 400, 'upstream_bad_request'],
    [
      403,
      'AccessDeniedException',
      "You don't have access to the model with the specified model ID.",
      502,
      'upstream_error',
    ],
    [404, 'ResourceNotFoundException', 'Model not found.', 502, 'upstream_error'],
    [429, 'ModelNotReadyException', 'Model is not ready for inference.', 502, 'upstream_error'],
    [503, 'ServiceUnavailableException', 'Service unavailable.', 502, 'upstream_error'],
    [408, 'ModelTimeoutException', 'Model has timed out in processing the request.', 504, 'upstream_timeout'],
    [500, 'InternalServerException', 'Internal server error at /srv/secret/path', 502, 'upstream_error'],
    [424, 'ModelErrorException', 'The model errored.', 502, 'upstream_error'],
  ])('maps HTTP %i %s to %i %s', async (status, type, message, gatewayStatus, code) => {
    fake = await startFakeBedrock([awsError(status, type, message)])
    gateway = await startTestGateway(bedrockConfig(fake.url))
    const res = await chat()
    expect(res.status).toBe(gatewayStatus)
    expect(res.json.error.code).toBe(code)
    if (gatewayStatus === 400) expect(res.json.error.message).toContain(message)
    if (status >= 500) expect(res.text).not.toContain('/srv/secret')
  })

  it('classifies failures for retry: throttling and model-not-ready retried, validation not', async () => {
    fake = await startFakeBedrock([
      awsError(429, 'ThrottlingException', 'slow down', { 'retry-after': '0' }),
      awsError(429, 'ModelNotReadyException', 'warming up'),
      json(converseText('third time lucky')),
      awsError(400, 'ValidationException', 'bad field'),
    ])
    gateway = await startTestGateway(
      bedrockConfig(
        fake.url,
        {},
        { routing: { retry: { attempts: 3, initial_backoff_ms: 1, max_backoff_ms: 2 } } },
      ),
    )
    const ok = await chat()
    expect(ok.json.choices[0].message.content).toBe('third time lucky')
    expect(ok.headers.get('x-gatehouse-attempts')).toBe('3')
    const bad = await chat()
    expect(bad.status).toBe(400)
    expect(bad.headers.get('x-gatehouse-attempts')).toBe('1')
  })

  it('turns a stall into 504 and a reset into 503', async () => {
    fake = await startFakeBedrock([stall(), reset()])
    gateway = await startTestGateway(bedrockConfig(fake.url, { timeout_ms: 200 }))
    expect((await chat()).status).toBe(504)
    expect((await chat()).status).toBe(503)
  })

  it('refuses what Converse cannot do with a 400 naming Bedrock, without calling it', async () => {
    fake = await startFakeBedrock([json(converseText('never'))])
    gateway = await startTestGateway(bedrockConfig(fake.url))
    const image = { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }
    const url = await chat({ ...hi, messages: [{ role: 'user', content: [image] }] })
    expect(url.status).toBe(400)
    expect(url.json.error).toMatchObject({
      code: 'unsupported_operation',
      param: 'messages[0].content[0].image_url.url',
    })
    expect(url.json.error.message).toContain('Bedrock')
    const jsonMode = await chat({ ...hi, response_format: { type: 'json_object' } })
    expect(jsonMode.status).toBe(400)
    expect(jsonMode.json.error.param).toBe('response_format')
    expect(fake.calls).toHaveLength(0)
  })

  it('asks for structured output with response_format json_schema and returns the JSON text', async () => {
    fake = await startFakeBedrock([json(converseText('{"city":"Paris"}'))])
    gateway = await startTestGateway(bedrockConfig(fake.url))
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    }
    const res = await chat({
      ...hi,
      response_format: { type: 'json_schema', json_schema: { name: 'place', schema } },
    })
    expect(JSON.parse(res.json.choices[0].message.content)).toEqual({ city: 'Paris' })
    expect(fake.calls[0]!.body.outputConfig).toEqual({
      textFormat: {
        type: 'json_schema',
        structure: { jsonSchema: { schema: JSON.stringify(schema), name: 'place' } },
      },
    })
  })

  it("drops a parameter the model's drop_params lists instead of refusing it", async () => {
    fake = await startFakeBedrock([json(converseText('seedless'))])
    const config = bedrockConfig(fake.url)
    gateway = await startTestGateway({
      ...config,
      models: { claude: { provider: 'aws', model: CLAUDE, drop_params: ['seed'] } },
    })
    expect((await chat({ ...hi, seed: 7 })).status).toBe(200)
  })

  it('embeds with Titan: one InvokeModel call per input, dimensions and normalize, tokens summed', async () => {
    fake = await startFakeBedrock((call) =>
      json({
        embedding: [0.5, -0.25, call.body.inputText.length],
        inputTextTokenCount: call.body.inputText.length,
      }),
    )
    gateway = await startTestGateway(bedrockConfig(fake.url))
    const res = await postJson(`${gateway.baseURL}/embeddings`, {
      model: 'titan',
      input: ['ab', 'abcd'],
      dimensions: 256,
    })
    expect(res.status).toBe(200)
    expect(res.json.data.map((d: any) => d.embedding)).toEqual([
      [0.5, -0.25, 2],
      [0.5, -0.25, 4],
    ])
    expect(res.json.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 })
    expect(fake.calls.map((c) => c.path)).toEqual([
      '/model/amazon.titan-embed-text-v2%3A0/invoke',
      '/model/amazon.titan-embed-text-v2%3A0/invoke',
    ])
    expect(fake.calls.map((c) => c.body).sort((a, b) => a.inputText.length - b.inputText.length)).toEqual([
      { inputText: 'ab', dimensions: 256, normalize: true },
      { inputText: 'abcd', dimensions: 256, normalize: true },
    ])
    const b64 = await postJson(`${gateway.baseURL}/embeddings`, {
      model: 'titan',
      input: 'ab',
      encoding_format: 'base64',
    })
    const bytes = Buffer.from(b64.json.data[0].embedding, 'base64')
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)
    expect([...floats]).toEqual([0.5, -0.25, 2])
  })

  it('embeds with Cohere: one call for the batch, input_type, tokens from the Bedrock header', async () => {
    fake = await startFakeBedrock([
      json(
        { id: 'e1', response_type: 'embeddings_floats', texts: ['a', 'b'], embeddings: [[0.1], [0.2]] },
        { headers: { 'x-amzn-bedrock-input-token-count': '7' } },
      ),
    ])
    gateway = await startTestGateway(bedrockConfig(fake.url))
    const res = await postJson(`${gateway.baseURL}/embeddings`, { model: 'cohere', input: ['a', 'b'] })
    expect(res.json.data.map((d: any) => d.embedding)).toEqual([[0.1], [0.2]])
    expect(res.json.usage.prompt_tokens).toBe(7)
    expect(fake.calls[0]!.body).toEqual({ texts: ['a', 'b'], input_type: 'search_document' })
  })

  it('maps an InvokeModel error like a Converse one', async () => {
    fake = await startFakeBedrock([
      awsError(400, 'ValidationException', 'Malformed input request: #: extraneous key [foo]'),
    ])
    gateway = await startTestGateway(bedrockConfig(fake.url))
    const res = await postJson(`${gateway.baseURL}/embeddings`, { model: 'titan', input: 'x' })
    expect(res.status).toBe(400)
    expect(res.json.error.code).toBe('upstream_bad_request')
    expect(res.json.error.message).toContain('Malformed input request')
  })

  it('refuses embeddings with a model that is neither Titan nor Cohere', async () => {
    fake = await startFakeBedrock([json({})])
    gateway = await startTestGateway(bedrockConfig(fake.url))
    const res = await postJson(`${gateway.baseURL}/embeddings`, { model: 'llama', input: 'x' })
    expect(res.status).toBe(400)
    expect(res.json.error.code).toBe('unsupported_operation')
    expect(res.json.error.message).toContain('Bedrock')
    expect(fake.calls).toHaveLength(0)
  })
})
