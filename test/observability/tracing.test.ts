import { afterEach, describe, expect, it } from 'vitest'
import {
  chunks,
  completion,
  error,
  type FakeOpenAI,
  json,
  type Step,
  sse,
  startFakeOpenAI,
} from '../fakes/openai.js'
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../fakes/otlp-receiver.js'
import { openaiConfig, postJson, startTestGateway, type TestGateway } from '../helpers/gateway.js'

/**
 * Traces end to end: the gateway in front of a fake OpenAI-compatible server, exporting OTLP/HTTP
 * to a local receiver. The batch processor waits 5 s between exports, so spans seen right after
 * `close()` were flushed by the graceful shutdown.
 */
describe('tracing over OTLP/HTTP', () => {
  let fake: FakeOpenAI | undefined
  let receiver: OtlpReceiver | undefined
  let gateway: TestGateway | undefined
  afterEach(async () => {
    await gateway?.close()
    await fake?.close()
    await receiver?.close()
    gateway = fake = receiver = undefined
  })

  async function start(script: Step[], tracing: Record<string, unknown> = {}, extra = {}) {
    fake = await startFakeOpenAI(script)
    receiver = await startOtlpReceiver()
    gateway = await startTestGateway(
      openaiConfig(fake.url, {
        tracing: { enabled: true, otlp_endpoint: receiver.url, ...tracing },
        routing: { retry: { attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 2 } },
        ...extra,
      }),
    )
    return { fake, receiver, gateway }
  }

  const chat = (g: TestGateway, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    postJson(
      `${g.url}/v1/chat/completions`,
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'secret prompt text' }], ...body },
      headers,
    )
  const byKind = (spans: ReceivedSpan[], kind: ReceivedSpan['kind']) => spans.filter((s) => s.kind === kind)

  it('exports a server span and a GenAI client span, parent and child, flushed at shutdown', async () => {
    const { fake, receiver, gateway } = await start([json(completion('hello'))])
    const res = await chat(gateway, { max_tokens: 50, temperature: 0.2 })
    expect(res.status).toBe(200)
    expect(receiver.exports).toHaveLength(0) // nothing yet: the batch waits
    await gateway.close()

    const [server] = byKind(receiver.spans, 'server')
    const [client] = byKind(receiver.spans, 'client')
    expect(receiver.spans).toHaveLength(2)
    expect(server).toMatchObject({
      name: 'POST /v1/chat/completions',
      parentSpanId: '',
      statusCode: 0,
      resource: { 'service.name': 'gatehouse' },
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/v1/chat/completions',
        'http.response.status_code': 200,
        'gatehouse.request_id': res.headers.get('x-gatehouse-request-id'),
        'gatehouse.attempts': 1,
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 9,
        'gen_ai.usage.output_tokens': 12,
      },
    })
    expect(client).toMatchObject({
      name: 'chat gpt-4o-mini',
      traceId: server!.traceId,
      parentSpanId: server!.spanId,
      statusCode: 0,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai_compatible',
        'gen_ai.system': 'openai_compatible',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.request.max_tokens': 50,
        'gen_ai.request.temperature': 0.2,
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.response.id': 'chatcmpl-fake123',
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.usage.input_tokens': 9,
        'gen_ai.usage.output_tokens': 12,
        'server.address': '127.0.0.1',
        'server.port': Number(new URL(fake.url).port),
        'gatehouse.attempt': 1,
        'gatehouse.target': 'gpt-4o-mini',
      },
    })
    // The client span lies within the server span. The SDK anchors each span on Date.now() (whole
    // milliseconds), so two spans' clocks can disagree by up to 1 ms.
    const msNs = 1_000_000n
    expect(client!.startNs + msNs >= server!.startNs && client!.endNs <= server!.endNs + msNs).toBe(true)
    // The provider's span would be the attempt's child.
    expect(fake.calls[0]!.headers.traceparent).toBe(`00-${server!.traceId}-${client!.spanId}-01`)
    // The request's log line carries the trace id; no prompt text anywhere in the spans.
    const line = gateway.logs.find((l) => l.msg === 'request completed')
    expect(line?.trace_id).toBe(server!.traceId)
    expect(JSON.stringify(receiver.spans, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(
      'secret prompt',
    )
  })

  it('gives each attempt of a retried request its own span', async () => {
    const { fake, receiver, gateway } = await start([error(503), json(completion('second time'))])
    expect((await chat(gateway)).status).toBe(200)
    await gateway.close()

    const [server] = byKind(receiver.spans, 'server')
    const attempts = byKind(receiver.spans, 'client').sort(
      (a, b) => Number(a.attributes['gatehouse.attempt']) - Number(b.attributes['gatehouse.attempt']),
    )
    expect(attempts).toHaveLength(2)
    expect(attempts.every((a) => a.parentSpanId === server!.spanId)).toBe(true)
    expect(attempts[0]).toMatchObject({
      statusCode: 2,
      attributes: { 'gatehouse.attempt': 1, 'error.type': 'server', 'http.response.status_code': 503 },
    })
    expect(attempts[0]!.attributes['gen_ai.response.model']).toBeUndefined()
    expect(attempts[1]).toMatchObject({
      statusCode: 0,
      attributes: { 'gatehouse.attempt': 2, 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18' },
    })
    expect(attempts[1]!.attributes['error.type']).toBeUndefined()
    expect(server!.attributes['gatehouse.attempts']).toBe(2)
    // Each upstream call names its own attempt as parent.
    expect(fake.calls.map((c) => c.headers.traceparent)).toEqual(
      attempts.map((a) => `00-${server!.traceId}-${a.spanId}-01`),
    )
  })

  it("continues a caller's trace and passes it on to the provider", async () => {
    const { fake, receiver, gateway } = await start([json(completion('hi'))])
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736'
    const callerSpan = '00f067aa0ba902b7'
    const res = await chat(
      gateway,
      {},
      { traceparent: `00-${callerTrace}-${callerSpan}-01`, tracestate: 'acme=t61rcWkgMzE' },
    )
    expect(res.status).toBe(200)
    await gateway.close()

    const [server] = byKind(receiver.spans, 'server')
    const [client] = byKind(receiver.spans, 'client')
    expect(server).toMatchObject({ traceId: callerTrace, parentSpanId: callerSpan })
    expect(client).toMatchObject({ traceId: callerTrace, parentSpanId: server!.spanId })
    expect(fake.calls[0]!.headers.traceparent).toBe(`00-${callerTrace}-${client!.spanId}-01`)
    expect(fake.calls[0]!.headers.tracestate).toBe('acme=t61rcWkgMzE')
  })

  it("follows a caller's not-sampled flag: nothing exported, the trace id still passed on", async () => {
    const { fake, receiver, gateway } = await start([json(completion('hi'))])
    const callerTrace = '0af7651916cd43dd8448eb211c80319c'
    const res = await chat(gateway, {}, { traceparent: `00-${callerTrace}-b7ad6b7169203331-00` })
    expect(res.status).toBe(200)
    await gateway.close()
    expect(receiver.spans).toHaveLength(0)
    expect(fake.calls[0]!.headers.traceparent).toMatch(new RegExp(`^00-${callerTrace}-[0-9a-f]{16}-00$`))
  })

  it('ignores a malformed traceparent and starts a new trace', async () => {
    const { receiver, gateway } = await start([json(completion('hi'))])
    const res = await chat(gateway, {}, { traceparent: 'not-a-trace-context' })
    expect(res.status).toBe(200)
    await gateway.close()
    const [server] = byKind(receiver.spans, 'server')
    expect(server!.parentSpanId).toBe('')
    expect(server!.traceId).toMatch(/^[0-9a-f]{32}$/)
  })

  it('ends a streamed attempt with the stream, with time to first token, finish reasons and usage', async () => {
    const { receiver, gateway } = await start([sse(chunks('hello streaming world'), { gapMs: 5 })])
    const res = await chat(gateway, { stream: true })
    expect(res.status).toBe(200)
    expect(res.text).toContain('[DONE]')
    await gateway.close()

    const [server] = byKind(receiver.spans, 'server')
    const [client] = byKind(receiver.spans, 'client')
    expect(client).toMatchObject({
      statusCode: 0,
      events: ['gen_ai.first_token'],
      attributes: {
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.usage.input_tokens': 9,
        'gen_ai.usage.output_tokens': 12,
      },
    })
    expect(client!.attributes['gatehouse.ttft_ms']).toEqual(expect.any(Number))
    // The stream's chunks kept coming after the first: the span lasted until the last one.
    const durationMs = Number(client!.endNs - client!.startNs) / 1e6
    expect(durationMs).toBeGreaterThanOrEqual(Number(client!.attributes['gatehouse.ttft_ms']))
    expect(server).toMatchObject({
      attributes: { 'gatehouse.stream': true, 'http.response.status_code': 200 },
    })
  })

  it('ends a streamed attempt the provider cut mid-way as failed, and the request with it', async () => {
    const { receiver, gateway } = await start([
      sse(chunks('hello streaming world'), { done: false, ending: 'reset' }),
    ])
    const res = await chat(gateway, { stream: true })
    expect(res.status).toBe(200)
    await gateway.close()
    const [server] = byKind(receiver.spans, 'server')
    const clients = byKind(receiver.spans, 'client')
    // After the first byte went out there is no retry: one attempt, failed.
    expect(clients).toHaveLength(1)
    expect(clients[0]!.statusCode).toBe(2)
    expect(['stream_cut', 'connection']).toContain(clients[0]!.attributes['error.type'])
    expect(clients[0]!.events).toEqual(['gen_ai.first_token'])
    expect(server).toMatchObject({ statusCode: 2, attributes: { 'http.response.status_code': 200 } })
    expect(server!.attributes['error.type']).toEqual(expect.any(String))
  })

  it('marks a request every target failed as an error with its kind', async () => {
    const { receiver, gateway } = await start([error(503)])
    const res = await chat(gateway)
    expect(res.status).toBe(502)
    await gateway.close()
    const [server] = byKind(receiver.spans, 'server')
    expect(byKind(receiver.spans, 'client')).toHaveLength(2)
    expect(server).toMatchObject({
      statusCode: 2,
      attributes: { 'http.response.status_code': 502, 'error.type': 'upstream_error' },
    })
  })

  it("leaves a caller's error unmarked on the server span but names it", async () => {
    const { receiver, gateway } = await start([json(completion('hi'))])
    const res = await chat(gateway, { model: 'no-such-model' })
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
    await gateway.close()
    const [server] = byKind(receiver.spans, 'server')
    expect(byKind(receiver.spans, 'client')).toHaveLength(0)
    expect(server!.statusCode).toBe(0)
    expect(server!.attributes['error.type']).toEqual(expect.any(String))
  })

  it('traces embeddings as their own operation', async () => {
    const embedding = { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }] }
    const { receiver, gateway } = await start([
      json({ ...embedding, model: 'text-embedding-3-small', usage: { prompt_tokens: 4, total_tokens: 4 } }),
    ])
    const res = await postJson(`${gateway.url}/v1/embeddings`, {
      model: 'text-embedding-3-small',
      input: 'hi',
    })
    expect(res.status).toBe(200)
    await gateway.close()
    const [server] = byKind(receiver.spans, 'server')
    const [client] = byKind(receiver.spans, 'client')
    expect(server!.name).toBe('POST /v1/embeddings')
    expect(client).toMatchObject({
      name: 'embeddings text-embedding-3-small',
      attributes: {
        'gen_ai.operation.name': 'embeddings',
        'gen_ai.response.model': 'text-embedding-3-small',
        'gen_ai.usage.input_tokens': 4,
      },
    })
  })

  it('records prompts and answers only with capture_content, and sends the export headers', async () => {
    const { receiver, gateway } = await start([json(completion('the answer'))], {
      capture_content: true,
      service_name: 'gatehouse-eu',
      headers: { authorization: 'Bearer collector-token-123' },
    })
    expect((await chat(gateway)).status).toBe(200)
    await gateway.close()
    const [client] = byKind(receiver.spans, 'client')
    expect(JSON.parse(String(client!.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'user', content: 'secret prompt text' },
    ])
    expect(String(client!.attributes['gen_ai.output.messages'])).toContain('the answer')
    expect(client!.resource['service.name']).toBe('gatehouse-eu')
    expect(receiver.exports[0]!.authorization).toBe('Bearer collector-token-123')
    expect(receiver.exports[0]!['content-type']).toBe('application/x-protobuf')
    expect(gateway.rawLogs()).not.toContain('collector-token-123')
  })

  it("names the Anthropic surface's span after its route", async () => {
    const { receiver, gateway } = await start([json(completion('hi'))])
    const res = await postJson(`${gateway.url}/v1/messages`, {
      model: 'gpt-4o-mini',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(res.status).toBe(200)
    await gateway.close()
    const [server] = byKind(receiver.spans, 'server')
    const [client] = byKind(receiver.spans, 'client')
    expect(server).toMatchObject({ name: 'POST /v1/messages', attributes: { 'http.route': '/v1/messages' } })
    expect(client).toMatchObject({
      parentSpanId: server!.spanId,
      attributes: { 'gen_ai.request.max_tokens': 64 },
    })
  })

  it('keeps serving when the collector is down, and says so in the log', async () => {
    // The exporter retries a refused connection until export_timeout_ms: a shutdown waits that long.
    const { receiver, gateway } = await start([json(completion('hi'))], { export_timeout_ms: 500 })
    await receiver.close() // nothing listens on the endpoint any more
    expect((await chat(gateway)).status).toBe(200)
    const closeStartedMs = performance.now()
    await gateway.close()
    expect(performance.now() - closeStartedMs).toBeLessThan(3000)
    const warning = gateway.logs.find((l) => l.msg === 'trace export failed: spans dropped')
    expect(warning).toMatchObject({ level: 40, endpoint: receiver.url, spans: 2 })
  })

  it('with tracing off, exports nothing and sends no traceparent upstream', async () => {
    const { fake, receiver, gateway } = await start([json(completion('hi')), sse(chunks('hi'))], {
      enabled: false,
    })
    expect((await chat(gateway)).status).toBe(200)
    expect((await chat(gateway, { stream: true })).status).toBe(200)
    await gateway.close()
    expect(receiver.exports).toHaveLength(0)
    expect(fake.calls.map((c) => c.headers.traceparent)).toEqual([undefined, undefined])
    const line = gateway.logs.find((l) => l.msg === 'request completed')
    expect(line).toBeDefined()
    expect(line?.trace_id).toBeUndefined()
  })
})
