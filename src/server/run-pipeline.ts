import type { FastifyReply, FastifyRequest } from 'fastify'
import { CancelSignal } from '../cancel-signal.js'
import type { Operation, RequestContext } from '../pipeline/context.js'
import { callerMetaFrom, simulateFrom } from '../pipeline/ingress.js'
import type { PipelineResult } from '../pipeline/stage.js'
import { answerHandedOver } from '../pipeline/when-done.js'
import type { ChatBody, EmbeddingsBody } from '../providers/types.js'
import { traceHeader } from '../routing/route-trace.js'
import type { Runtime } from '../runtime.js'
import { bearerToken, isKey } from './admin-auth.js'
import type { InFlightRequests } from './in-flight-requests.js'

export interface PipelineRouteDeps {
  runtime: () => Runtime
  /** In-flight request aborters, so a shutdown past its deadline can cut what is left. */
  inFlight: InFlightRequests
}

export interface PipelineInput {
  operation: Operation
  body: ChatBody | EmbeddingsBody
  stream: boolean
}

/**
 * What every data-plane surface shares: build the request context from a canonical body, run the
 * pipeline, set the gateway's response headers, and hand the result to the surface's writer (which
 * speaks its own wire format). A client that goes away cancels the upstream call.
 */
export async function runPipeline(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: PipelineRouteDeps,
  input: PipelineInput,
  write: (result: PipelineResult, ctx: RequestContext) => Promise<unknown>,
): Promise<unknown> {
  const signal = new CancelSignal()
  // 'close' before the response finished means the client went away: cancel the upstream call.
  const onClose = () => {
    if (!reply.raw.writableFinished) signal.abort(new Error('client disconnected'))
  }
  reply.raw.on('close', onClose)
  deps.inFlight.add(signal)
  const runtime = deps.runtime()
  let ctx: RequestContext | undefined
  try {
    ctx = {
      id: request.id,
      startedAtMs: performance.now(),
      operation: input.operation,
      body: input.body,
      stream: input.stream,
      meta: callerMetaFrom(request.headers),
      credential: bearerToken(request.headers),
      bodyBytes: contentLength(request.headers['content-length']),
      responseHeaders: {},
      signal,
      simulate: simulateFrom(request.headers['x-gatehouse-simulate']),
      runtime,
      log: request.log,
      stage: 'ingress',
      targets: [],
      attempts: [],
      afterAnswer: [],
    }
    // Until classification exists, the effective sensitivity is the caller's declaration.
    if (ctx.meta.sensitivity) ctx.sensitivity = ctx.meta.sensitivity
    if (runtime.tracer) {
      ctx.span = runtime.tracer.startRequest({
        method: request.method,
        route: request.routeOptions.url ?? request.url,
        requestId: ctx.id,
        headers: request.headers,
      })
    }
    let result: PipelineResult
    try {
      result = await ctx.runtime.pipeline(ctx)
    } finally {
      if (ctx.trace && wantsTrace(request, ctx.runtime))
        reply.header('x-gatehouse-route-trace', traceHeader(ctx.trace))
      // Rate-limit state goes back on refusals and errors too, as OpenAI does.
      reply.headers(ctx.responseHeaders)
    }
    reply.header('x-gatehouse-provider', ctx.served?.provider)
    reply.header('x-gatehouse-model', ctx.served?.model)
    reply.header('x-gatehouse-attempts', String(ctx.attempts.length))
    // A stream's cost is known at its end: its writer sends it in the usage chunk and a trailer.
    if (result.kind !== 'stream' && ctx.costUsd !== undefined)
      reply.header('x-gatehouse-cost-usd', String(ctx.costUsd))
    return await write(result, ctx)
  } finally {
    // Budgets, the request log and metrics settle once the answer (or the error) is on its way.
    if (ctx) answerHandedOver(ctx)
    deps.inFlight.delete(signal)
    if (reply.raw.writableFinished) reply.raw.off('close', onClose)
  }
}

/** The decision trace goes back when debugging is on, or to a caller holding the admin key. */
function wantsTrace(request: FastifyRequest, runtime: Runtime): boolean {
  if (runtime.config.routing.trace_header) return true
  const adminKey = runtime.config.admin.api_key
  return adminKey !== undefined && isKey(bearerToken(request.headers), adminKey)
}

function contentLength(header: string | undefined): number | undefined {
  const bytes = header === undefined ? Number.NaN : Number(header)
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : undefined
}
