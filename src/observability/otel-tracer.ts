import {
  type Attributes,
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  type Tracer as OtelApiTracer,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  trace,
} from '@opentelemetry/api'
import type { ResolvedProvider } from '../config/load.js'
import { UpstreamError } from '../errors.js'
import type { RequestContext } from '../pipeline/context.js'
import {
  foldChunk,
  GEN_AI,
  genAiProviderName,
  inputContent,
  outputContent,
  requestAttributes,
  responseAttributes,
  type StreamSummary,
  serverAttributes,
  streamAttributes,
} from './gen-ai-attributes.js'
import type { AttemptSpan, AttemptSpanStart, RequestSpan, RequestSpanStart, Tracer } from './tracer.js'

export interface OtelTracerOptions {
  /** From a TracerProvider built in main.ts (never the global one). */
  tracer: OtelApiTracer
  /** W3C trace context, in and out. */
  propagator: TextMapPropagator
  /** Prompts and answers on attempt spans (`tracing.capture_content`). */
  captureContent: boolean
}

/**
 * The request path's tracer over the OpenTelemetry API: a SERVER span per request (a child of the
 * caller's `traceparent` when one came) and a CLIENT span per upstream attempt, named and
 * attributed after the GenAI semantic conventions. Contexts are passed explicitly, so no global
 * context manager or auto-instrumentation is needed.
 */
export function createOtelTracer({ tracer, propagator, captureContent }: OtelTracerOptions): Tracer {
  // Per provider config (a reload makes new ones): its name and address, worked out once.
  const providerAttrs = new WeakMap<ResolvedProvider, Attributes>()
  const attrsOf = (provider: ResolvedProvider): Attributes => {
    let attrs = providerAttrs.get(provider)
    if (!attrs) {
      const name = genAiProviderName(provider)
      attrs = { [GEN_AI.provider]: name, [GEN_AI.system]: name, ...serverAttributes(provider.base_url) }
      providerAttrs.set(provider, attrs)
    }
    return attrs
  }

  return {
    startRequest(start: RequestSpanStart): RequestSpan {
      const parent =
        start.headers.traceparent === undefined
          ? ROOT_CONTEXT
          : propagator.extract(ROOT_CONTEXT, start.headers, defaultTextMapGetter)
      const span = tracer.startSpan(
        `${start.method} ${start.route}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': start.method,
            'http.route': start.route,
            'gatehouse.request_id': start.requestId,
          },
        },
        parent,
      )
      const context = trace.setSpan(parent, span)
      return {
        traceId: span.spanContext().traceId,
        startAttempt: (attempt) => startAttempt(attempt, context),
        end: (ctx, endedAtMs) => endRequest(span, ctx, endedAtMs),
      }
    },
  }

  function startAttempt(start: AttemptSpanStart, parent: Context): AttemptSpan {
    const { target, operation, body } = start
    const attributes: Attributes = {
      [GEN_AI.operation]: operation,
      ...attrsOf(target.provider.config),
      [GEN_AI.requestModel]: target.model.model,
      ...requestAttributes(operation, body),
      'gatehouse.target': target.name,
      'gatehouse.provider': target.provider.config.name,
      'gatehouse.attempt': start.attempt,
    }
    if (start.waitedMs > 0) attributes['gatehouse.retry_wait_ms'] = Math.round(start.waitedMs)
    if (captureContent) attributes[GEN_AI.inputMessages] = inputContent(body)
    const span = tracer.startSpan(
      `${operation} ${target.model.model}`,
      { kind: SpanKind.CLIENT, attributes },
      parent,
    )
    const headers: Record<string, string> = {}
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter)
    return createAttemptSpan(span, headers, captureContent)
  }
}

function createAttemptSpan(
  span: Span,
  headers: Record<string, string>,
  captureContent: boolean,
): AttemptSpan {
  const startedMs = performance.now()
  let summary: StreamSummary | undefined
  let ended = false
  return {
    headers,
    firstChunk() {
      span.setAttribute('gatehouse.ttft_ms', Math.round(performance.now() - startedMs))
      span.addEvent('gen_ai.first_token')
    },
    chunk(chunk) {
      summary ??= { finishReasons: [] }
      foldChunk(summary, chunk, captureContent)
    },
    succeed(response) {
      if (ended) return
      ended = true
      if (response) {
        span.setAttributes(responseAttributes(response))
        if (captureContent && response.object !== 'list')
          span.setAttribute(GEN_AI.outputMessages, outputContent(response))
      } else if (summary) {
        span.setAttributes(streamAttributes(summary))
        if (summary.text !== undefined) span.setAttribute(GEN_AI.outputMessages, outputContent(summary.text))
      }
      span.end()
    },
    fail(error) {
      if (ended) return
      ended = true
      if (summary) span.setAttributes(streamAttributes(summary))
      const type =
        error instanceof UpstreamError ? error.failure : error === undefined ? 'cancelled' : 'internal'
      span.setAttribute('error.type', type)
      if (error instanceof UpstreamError && error.status !== undefined)
        span.setAttribute('http.response.status_code', error.status)
      // The failure class only: provider error bodies stay out of traces as out of logs.
      span.setStatus({ code: SpanStatusCode.ERROR, message: type })
      span.end()
    },
  }
}

/** The request's outcome, read from the context once the record stage has it. */
function endRequest(span: Span, ctx: RequestContext, endedAtMs: number | undefined): void {
  const status = ctx.outcome?.status ?? 0
  const attributes: Attributes = {
    'http.response.status_code': status,
    [GEN_AI.operation]: ctx.operation,
    [GEN_AI.requestModel]: ctx.body.model,
    'gatehouse.stream': ctx.stream,
    'gatehouse.attempts': ctx.attempts.length,
  }
  if (ctx.tenant !== undefined) attributes['gatehouse.tenant'] = ctx.tenant
  if (ctx.principal?.keyId !== undefined) attributes['gatehouse.key_id'] = ctx.principal.keyId
  if (ctx.trace?.resolved !== undefined) attributes['gatehouse.route'] = ctx.trace.resolved
  if (ctx.served) {
    attributes['gatehouse.provider'] = ctx.served.provider
    attributes['gatehouse.target'] = ctx.served.target
    attributes[GEN_AI.responseModel] = ctx.served.model
  }
  if (ctx.usage) {
    attributes[GEN_AI.inputTokens] = ctx.usage.prompt_tokens
    attributes[GEN_AI.outputTokens] = ctx.usage.completion_tokens
  }
  if (ctx.costUsd !== undefined) attributes['gatehouse.cost_usd'] = ctx.costUsd
  const errorKind = ctx.outcome?.errorKind
  if (errorKind) {
    attributes['error.type'] = errorKind
    attributes['gatehouse.error_kind'] = errorKind
  }
  span.setAttributes(attributes)
  // HTTP conventions: on a server span only a 5xx is the server's error; a 4xx is the caller's.
  // A stream that broke after its 200 went out failed as well.
  if (status >= 500 || (errorKind !== undefined && status < 400))
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorKind ?? `HTTP ${status}` })
  // A number below the time origin is read as a performance.now() time by the SDK.
  span.end(endedAtMs)
}
