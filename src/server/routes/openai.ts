import type { OutgoingHttpHeaders } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { CancelSignal } from '../../cancel-signal.js'
import { errorBody, GatewayError, UpstreamError } from '../../errors.js'
import type { Operation, RequestContext } from '../../pipeline/context.js'
import { callerMetaFrom, parseChatBody, parseEmbeddingsBody, simulateFrom } from '../../pipeline/ingress.js'
import type { ChatBody, ChatChunk, EmbeddingsBody } from '../../providers/types.js'
import { traceHeader } from '../../routing/route-trace.js'
import type { Runtime } from '../../runtime.js'
import { bearerToken, isKey } from '../admin-auth.js'
import { toGatewayError } from '../error-handler.js'
import { SseWriter } from '../sse.js'

export interface OpenAIRouteDeps {
  runtime: () => Runtime
  /** In-flight request aborters, so a shutdown past its deadline can cut what is left. */
  inFlight: Set<CancelSignal>
}

/** The OpenAI-compatible data plane: parse, run the pipeline, write. */
export function registerOpenAIRoutes(app: FastifyInstance, deps: OpenAIRouteDeps): void {
  app.post('/v1/chat/completions', async function chatCompletions(request, reply) {
    const body = parseChatBody(request.body)
    return run(request, reply, deps, 'chat', body, body.stream === true)
  })

  app.post('/v1/embeddings', async function embeddings(request, reply) {
    return run(request, reply, deps, 'embeddings', parseEmbeddingsBody(request.body), false)
  })

  app.get('/v1/models', async function listModels() {
    return { object: 'list', data: deps.runtime().models }
  })

  // Model names may contain slashes (e.g. `meta-llama/Llama-3.1-8B`), hence the wildcard.
  app.get('/v1/models/*', async function retrieveModel(request) {
    const id = (request.params as { '*': string })['*']
    const model = deps.runtime().models.find((m) => m.id === id)
    if (!model)
      throw new GatewayError('model_not_found', `The model '${id}' does not exist.`, { param: 'model' })
    return model
  })
}

async function run(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: OpenAIRouteDeps,
  operation: Operation,
  body: ChatBody | EmbeddingsBody,
  stream: boolean,
): Promise<unknown> {
  const signal = new CancelSignal()
  // 'close' before the response finished means the client went away: cancel the upstream call.
  const onClose = () => {
    if (!reply.raw.writableFinished) signal.abort(new Error('client disconnected'))
  }
  reply.raw.on('close', onClose)
  deps.inFlight.add(signal)
  try {
    const ctx: RequestContext = {
      id: request.id,
      startedAtMs: performance.now(),
      operation,
      body,
      stream,
      meta: callerMetaFrom(request.headers),
      credential: bearerToken(request.headers),
      bodyBytes: contentLength(request.headers['content-length']),
      responseHeaders: {},
      signal,
      simulate: simulateFrom(request.headers['x-gatehouse-simulate']),
      runtime: deps.runtime(),
      log: request.log,
      stage: 'ingress',
      targets: [],
      attempts: [],
    }
    // Until classification exists, the effective sensitivity is the caller's declaration.
    if (ctx.meta.sensitivity) ctx.sensitivity = ctx.meta.sensitivity
    let result: Awaited<ReturnType<Runtime['pipeline']>>
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
    if (result.kind !== 'stream') {
      if (ctx.costUsd !== undefined) reply.header('x-gatehouse-cost-usd', String(ctx.costUsd))
      return result.response
    }
    const wantsUsage = (body as ChatBody).stream_options?.include_usage === true
    await writeStream(reply, result.events, wantsUsage, () => ctx.costUsd)
    return reply
  } finally {
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

/**
 * Write a chat stream as OpenAI does: one `data:` event per chunk, then `data: [DONE]`. Usage
 * chunks reach the caller only if it asked (`stream_options.include_usage`). A failure after the
 * first byte ends the stream with an error event and no `[DONE]`, so the client sees a cut stream.
 */
async function writeStream(
  reply: FastifyReply,
  events: AsyncIterable<ChatChunk>,
  wantsUsage: boolean,
  cost: () => number | undefined,
): Promise<void> {
  reply.hijack()
  const sse = new SseWriter(reply.raw)
  // The cost is known only at the end: it follows the body as an HTTP trailer (RFC 9110 §6.5).
  sse.start({ ...(reply.getHeaders() as OutgoingHttpHeaders), trailer: 'x-gatehouse-cost-usd' })
  try {
    for await (const chunk of events) {
      if (!sse.isOpen) break
      if (!wantsUsage && 'usage' in chunk) {
        if (chunk.choices.length === 0) continue
        delete chunk.usage
      }
      await sse.write(JSON.stringify(chunk))
    }
    await sse.write('[DONE]')
  } catch (err) {
    if (sse.isOpen) {
      const error =
        err instanceof UpstreamError
          ? new GatewayError('upstream_error', `The provider stream failed: ${err.message}`)
          : toGatewayError(err as Error)
      if (error.kind === 'internal') reply.log.error({ err }, 'stream failed')
      else reply.log.warn({ failure: (err as UpstreamError).failure }, 'stream failed after the first byte')
      await sse.write(JSON.stringify(errorBody(error)))
    }
  } finally {
    const usd = cost()
    if (usd !== undefined && sse.isOpen) reply.raw.addTrailers({ 'x-gatehouse-cost-usd': String(usd) })
    sse.end()
  }
}

function contentLength(header: string | undefined): number | undefined {
  const bytes = header === undefined ? Number.NaN : Number(header)
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : undefined
}
