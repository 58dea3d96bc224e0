import type { IncomingHttpHeaders } from 'node:http'
import type { UpstreamError } from '../errors.js'
import type { RequestContext, Target } from '../pipeline/context.js'
import type {
  ChatBody,
  ChatChunk,
  ChatCompletion,
  EmbeddingsBody,
  EmbeddingsResponse,
} from '../providers/types.js'

/**
 * What the request path needs from tracing, and nothing more. When tracing is off there is no
 * `Tracer` at all: `ctx.span` stays undefined and every call site is one optional chain, so an
 * untraced request creates no span objects. The OpenTelemetry implementation is `otel-tracer.ts`.
 */
export interface Tracer {
  /** The span of one request; a caller's W3C `traceparent`/`tracestate` makes it a child. */
  startRequest(start: RequestSpanStart): RequestSpan
}

export interface RequestSpanStart {
  /** `POST` */
  method: string
  /** The route's path template, e.g. `/v1/chat/completions`. */
  route: string
  requestId: string
  headers: IncomingHttpHeaders
}

export interface RequestSpan {
  /** 32 hex digits, for the request's log line. */
  readonly traceId: string
  /** A child span for one call to one target. */
  startAttempt(start: AttemptSpanStart): AttemptSpan
  /**
   * End with what the request context says happened (status, tenant, usage...), at `endedAtMs`
   * (a `performance.now()` time: a cut stream's usage may be counted after it ended).
   */
  end(ctx: RequestContext, endedAtMs?: number): void
}

export interface AttemptSpanStart {
  target: Target
  operation: RequestContext['operation']
  /** The body as the gateway received it (the model asked, parameters). */
  body: ChatBody | EmbeddingsBody
  attempt: number
  /** Backoff slept before this attempt. */
  waitedMs: number
}

export interface AttemptSpan {
  /** `traceparent` (and `tracestate`) for the upstream request: the provider's span is our child. */
  readonly headers: Record<string, string>
  /** A stream's first event arrived (time to first token). */
  firstChunk(): void
  /** Each streamed event, for the model, finish reasons and usage it reports. */
  chunk(chunk: ChatChunk): void
  /** A complete answer (non-stream), or the end of a stream when `response` is undefined. */
  succeed(response?: ChatCompletion | EmbeddingsResponse): void
  /** The attempt failed: an upstream failure or timeout; undefined when the caller went away. */
  fail(error: UpstreamError | unknown): void
}
