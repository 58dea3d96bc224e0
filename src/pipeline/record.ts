import { GatewayError } from '../errors.js'
import type { Recorder } from '../observability/recorder.js'
import type { ChatChunk } from '../providers/types.js'
import type { RoutingMetrics } from '../routing/routing-deps.js'
import type { RequestLogRecord } from '../store/store.js'
import { captureBodies } from './capture-bodies.js'
import type { RequestContext } from './context.js'
import type { Stage } from './stage.js'
import { afterMetering } from './when-done.js'

/**
 * Record: one structured log line per request once it is over (for a stream, when the stream
 * ends), with ids, route, targets, attempts, usage and timing. Never prompts, answers or keys.
 * The request's trace span ends here too, with the same outcome.
 */
export const record = (recorder: Recorder | undefined, metrics: RoutingMetrics): Stage => ({
  name: 'record',
  async run(ctx, next) {
    let result: Awaited<ReturnType<typeof next>>
    try {
      result = await next()
    } catch (err) {
      const kind = err instanceof GatewayError ? err.kind : ctx.signal.aborted ? undefined : 'internal'
      ctx.outcome = {
        status: err instanceof GatewayError ? err.status : 499,
        ...(kind ? { errorKind: kind } : {}),
      }
      writeLine(ctx, recorder, metrics)
      throw err
    }
    if (result.kind !== 'stream') {
      ctx.outcome = { status: 200 }
      writeLine(ctx, recorder, metrics, result.kind === 'chat' ? answerOf(result.response.choices) : '')
      return result
    }
    return { kind: 'stream', events: observe(ctx, result.events, recorder, metrics) }
  },
})

async function* observe(
  ctx: RequestContext,
  events: AsyncIterable<ChatChunk>,
  recorder: Recorder | undefined,
  metrics: RoutingMetrics,
): AsyncGenerator<ChatChunk> {
  ctx.outcome = { status: 200 }
  // The answer's text, kept only when the request log is on (it may store bodies).
  const answer: string[] | undefined = recorder ? [] : undefined
  try {
    for await (const chunk of events) {
      ctx.firstByteAtMs ??= performance.now()
      if (answer)
        for (const c of chunk.choices) if (typeof c.delta.content === 'string') answer.push(c.delta.content)
      yield chunk
    }
  } catch (err) {
    ctx.outcome = { status: 200, errorKind: err instanceof GatewayError ? err.kind : 'upstream_error' }
    throw err
  } finally {
    writeLine(ctx, recorder, metrics, answer?.join('') ?? '')
  }
}

function writeLine(
  ctx: RequestContext,
  recorder: Recorder | undefined,
  metrics: RoutingMetrics,
  answer = '',
): void {
  // Durations are measured now; the line and the metrics wait for the answer to be handed over
  // (and for meter's count of a cut stream).
  const endedAtMs = performance.now()
  afterMetering(ctx, () => {
    writeLineAt(ctx, recorder, endedAtMs, answer)
    countRequest(ctx, metrics, endedAtMs)
  })
}

function countRequest(ctx: RequestContext, metrics: RoutingMetrics, endedAtMs: number): void {
  const { models, routes } = ctx.runtime.config
  metrics.request({
    // Only configured names as labels: a caller's typos must not grow the series without bound.
    model:
      Object.hasOwn(models, ctx.body.model) || Object.hasOwn(routes, ctx.body.model)
        ? ctx.body.model
        : 'other',
    tenant: ctx.tenant ?? 'none',
    status: ctx.outcome?.status ?? 0,
    errorKind: ctx.outcome?.errorKind,
    durationMs: endedAtMs - ctx.startedAtMs,
    ttftMs: ctx.firstByteAtMs === undefined ? undefined : ctx.firstByteAtMs - ctx.startedAtMs,
  })
  if (ctx.protection) {
    // Rule names and entity types come from config and the built-ins: bounded label values.
    metrics.protected({
      tenant: ctx.tenant ?? 'none',
      sensitivity: ctx.sensitivity ?? 'public',
      redactions: ctx.redactions,
      verdicts: ctx.guardrails,
    })
  }
}

const LOGS_INFO = new Set(['info', 'debug', 'trace'])

function writeLineAt(
  ctx: RequestContext,
  recorder: Recorder | undefined,
  endedAtMs: number,
  answer: string,
): void {
  const durationMs = round(endedAtMs - ctx.startedAtMs)
  const ttftMs = ctx.firstByteAtMs === undefined ? undefined : round(ctx.firstByteAtMs - ctx.startedAtMs)
  if (recorder) recorder.record({ ...toRecord(ctx, durationMs, ttftMs), ...captureBodies(ctx, answer) })
  ctx.span?.end(ctx, endedAtMs)
  // The line's fields are gathered only when it will be written (the default level is info).
  if (!LOGS_INFO.has(ctx.log.level)) return
  ctx.log.info(
    {
      op: ctx.operation,
      model: ctx.body.model,
      stream: ctx.stream,
      status: ctx.outcome?.status,
      error_kind: ctx.outcome?.errorKind,
      aborted: ctx.signal.aborted || undefined,
      provider: ctx.served?.provider,
      served_model: ctx.served?.model,
      attempts: ctx.attempts.length,
      route: ctx.trace && ctx.trace.resolved !== ctx.body.model ? ctx.trace.resolved : undefined,
      rule: ctx.trace?.rule,
      trace:
        ctx.trace && (ctx.attempts.length > 1 || ctx.trace.candidates.some((c) => c.skipped))
          ? compactTrace(ctx)
          : undefined,
      tenant: ctx.tenant,
      key_id: ctx.principal?.keyId,
      usage: ctx.usage ? { input: ctx.usage.prompt_tokens, output: ctx.usage.completion_tokens } : undefined,
      cost_usd: ctx.costUsd,
      duration_ms: durationMs,
      ttft_ms: ttftMs,
      use_case: ctx.meta.useCase,
      trace_id: ctx.span?.traceId,
      sensitivity: ctx.protection ? ctx.sensitivity : undefined,
      redactions: ctx.redactions && Object.keys(ctx.redactions).length > 0 ? ctx.redactions : undefined,
      guardrails: ctx.guardrails?.map((v) => `${v.rule}:${v.action}`),
    },
    'request completed',
  )
}

/** The durable request-log record: what the log line says, for the store. */
function toRecord(ctx: RequestContext, durationMs: number, ttftMs: number | undefined): RequestLogRecord {
  return {
    requestId: ctx.id,
    traceId: ctx.span?.traceId,
    ts: Math.round(Date.now() - durationMs),
    tenant: ctx.tenant,
    keyId: ctx.principal?.keyId,
    user: ctx.meta.user,
    useCase: ctx.meta.useCase,
    operation: ctx.operation,
    modelRequested: ctx.body.model,
    route: ctx.trace?.resolved,
    provider: ctx.served?.provider,
    modelServed: ctx.served?.model,
    modelVersion: ctx.served?.version,
    status: ctx.outcome?.status ?? 0,
    errorKind: ctx.outcome?.errorKind,
    attempts: ctx.attempts.length,
    trace: ctx.trace
      ? { rule: ctx.trace.rule, candidates: ctx.trace.candidates, attempts: ctx.attempts }
      : undefined,
    sensitivity: ctx.sensitivity,
    redactions: ctx.redactions && Object.keys(ctx.redactions).length > 0 ? ctx.redactions : undefined,
    guardrails: ctx.guardrails,
    inputTokens: ctx.usage?.prompt_tokens,
    outputTokens: ctx.usage?.completion_tokens,
    costUsd: ctx.costUsd,
    latencyMs: durationMs,
    ttftMs,
    upstreamMs:
      ctx.attempts.length === 0 ? undefined : round(ctx.attempts.reduce((sum, a) => sum + a.durationMs, 0)),
    prompt: ctx.meta.prompt,
    contextSources: ctx.meta.contextSources,
  }
}

function answerOf(choices: ReadonlyArray<{ message: { content?: unknown } }>): string {
  return choices.map((c) => (typeof c.message.content === 'string' ? c.message.content : '')).join('\n')
}

/** Only when something noteworthy happened (a skip, a retry, a fallback): what and why. */
function compactTrace(ctx: RequestContext) {
  return {
    skipped: ctx.trace!.candidates.filter((c) => c.skipped).map((c) => `${c.target}:${c.skipped}`),
    attempts: ctx.attempts.map(
      (a) =>
        `${a.target}#${a.attempt}:${a.ok ? 'ok' : (a.status ?? a.failure)}${a.waitedMs ? `+${Math.round(a.waitedMs)}ms` : ''}`,
    ),
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100
}
