import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { describe, expect, it } from 'vitest'
import { UpstreamError } from '../errors.js'
import type { RequestContext, Target } from '../pipeline/context.js'
import { createOtelTracer } from './otel-tracer.js'

function setup(captureContent = false) {
  const exporter = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  const tracer = createOtelTracer({
    tracer: provider.getTracer('test'),
    propagator: new W3CTraceContextPropagator(),
    captureContent,
  })
  return { tracer, spans: () => exporter.getFinishedSpans() }
}

const target = {
  name: 'gpt-4o',
  model: { model: 'gpt-4o-2024-08-06' },
  provider: { config: { name: 'openai', kind: 'openai', base_url: 'https://api.openai.com/v1' } },
} as unknown as Target

const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'private words' }] }

function request(tracer: ReturnType<typeof setup>['tracer'], headers = {}) {
  return tracer.startRequest({ method: 'POST', route: '/v1/chat/completions', requestId: 'req-1', headers })
}

describe('OpenTelemetry tracer', () => {
  it('ends a stream the caller stopped reading as cancelled, and each span only once', () => {
    const { tracer, spans } = setup()
    const span = request(tracer)
    const attempt = span.startAttempt({ target, operation: 'chat', body, attempt: 1, waitedMs: 0 })
    attempt.firstChunk()
    attempt.fail(undefined)
    attempt.succeed()
    attempt.fail(new UpstreamError('server', 'late'))
    expect(spans()).toHaveLength(1)
    const [ended] = spans()
    expect(ended!.attributes['error.type']).toBe('cancelled')
    expect(ended!.status.code).toBe(2)
    expect(ended!.events.map((e) => e.name)).toEqual(['gen_ai.first_token'])
  })

  it('names a non-upstream failure internal and keeps provider messages out', () => {
    const { tracer, spans } = setup()
    const span = request(tracer)
    span
      .startAttempt({ target, operation: 'chat', body, attempt: 2, waitedMs: 120.4 })
      .fail(new UpstreamError('rate_limited', 'provider said: org-123 over quota', { status: 429 }))
    span.startAttempt({ target, operation: 'chat', body, attempt: 3, waitedMs: 0 }).fail(new TypeError('bug'))
    const [limited, bug] = spans()
    expect(limited!.attributes).toMatchObject({
      'error.type': 'rate_limited',
      'http.response.status_code': 429,
      'gatehouse.retry_wait_ms': 120,
      'gen_ai.provider.name': 'openai',
      'server.address': 'api.openai.com',
    })
    expect(JSON.stringify(limited!.attributes) + limited!.status.message).not.toContain('org-123')
    expect(bug!.attributes['error.type']).toBe('internal')
    expect(bug!.attributes['gatehouse.retry_wait_ms']).toBeUndefined()
  })

  it('ends the request span with what the context says, content never included', () => {
    const { tracer, spans } = setup()
    const span = request(tracer, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })
    expect(span.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    const ctx = {
      operation: 'chat',
      body,
      stream: false,
      attempts: [{}],
      tenant: 'acme',
      principal: { keyId: 'key-7' },
      trace: { resolved: 'chat-route' },
      served: { provider: 'openai', model: 'gpt-4o-2024-08-06', target: 'gpt-4o' },
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      costUsd: 0.0001,
      outcome: { status: 429, errorKind: 'rate_limited' },
    } as unknown as RequestContext
    span.end(ctx)
    const [ended] = spans()
    expect(ended!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7')
    expect(ended!.attributes).toMatchObject({
      'gatehouse.tenant': 'acme',
      'gatehouse.key_id': 'key-7',
      'gatehouse.route': 'chat-route',
      'gatehouse.request_id': 'req-1',
      'error.type': 'rate_limited',
      'http.response.status_code': 429,
    })
    // A 429 is the caller's to handle: not a server error.
    expect(ended!.status.code).toBe(0)
    expect(JSON.stringify(ended!.attributes)).not.toContain('private words')
  })

  it('puts the messages on the attempt only when content capture is on', () => {
    const { tracer, spans } = setup(true)
    request(tracer)
      .startAttempt({ target, operation: 'chat', body, attempt: 1, waitedMs: 0 })
      .succeed({
        id: 'x',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o-2024-08-06',
        choices: [{ index: 0, message: { role: 'assistant', content: 'an answer' }, finish_reason: 'stop' }],
      })
    const [ended] = spans()
    expect(ended!.attributes['gen_ai.input.messages']).toBe(JSON.stringify(body.messages))
    expect(ended!.attributes['gen_ai.output.messages']).toContain('an answer')
  })
})
