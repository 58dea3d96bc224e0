import type { OutgoingHttpHeaders } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errorBody, GatewayError, UpstreamError } from '../../errors.js'
import { mayUse } from '../../pipeline/authorize.js'
import type { Operation } from '../../pipeline/context.js'
import { parseChatBody, parseEmbeddingsBody } from '../../pipeline/ingress.js'
import type { ChatBody, ChatChunk, EmbeddingsBody } from '../../providers/types.js'
import type { ModelListEntry, Runtime } from '../../runtime.js'
import { bearerToken } from '../admin-auth.js'
import { toGatewayError } from '../error-handler.js'
import { type PipelineRouteDeps, runPipeline } from '../run-pipeline.js'
import { COST_TRAILER, costTrailer, SseWriter } from '../sse.js'

export type OpenAIRouteDeps = PipelineRouteDeps

/** The OpenAI-compatible data plane: parse, run the pipeline, write. */
export function registerOpenAIRoutes(app: FastifyInstance, deps: OpenAIRouteDeps): void {
  app.post('/v1/chat/completions', async function chatCompletions(request, reply) {
    const body = parseChatBody(request.body)
    return run(request, reply, deps, 'chat', body, body.stream === true)
  })

  app.post('/v1/embeddings', async function embeddings(request, reply) {
    return run(request, reply, deps, 'embeddings', parseEmbeddingsBody(request.body), false)
  })

  // As OpenAI does: a key is needed, and a key sees only the models and routes it may use.
  app.get('/v1/models', async function listModels(request) {
    return { object: 'list', data: await visibleModels(request, deps.runtime()) }
  })

  // Model names may contain slashes (e.g. `meta-llama/Llama-3.1-8B`), hence the wildcard.
  app.get('/v1/models/*', async function retrieveModel(request) {
    const id = (request.params as { '*': string })['*']
    const model = (await visibleModels(request, deps.runtime())).find((m) => m.id === id)
    if (!model)
      throw new GatewayError('model_not_found', `The model '${id}' does not exist.`, { param: 'model' })
    return model
  })
}

/** Run the shared pipeline; write JSON, or the chat stream in OpenAI's SSE format. */
function run(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: OpenAIRouteDeps,
  operation: Operation,
  body: ChatBody | EmbeddingsBody,
  stream: boolean,
): Promise<unknown> {
  return runPipeline(request, reply, deps, { operation, body, stream }, async (result, ctx) => {
    if (result.kind !== 'stream') return result.response
    const wantsUsage = (body as ChatBody).stream_options?.include_usage === true
    await writeStream(reply, result.events, wantsUsage, () => ctx.costUsd)
    return reply
  })
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
  sse.start({ ...(reply.getHeaders() as OutgoingHttpHeaders), ...COST_TRAILER })
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
    sse.end(costTrailer(cost()))
  }
}

async function visibleModels(request: FastifyRequest, runtime: Runtime): Promise<ModelListEntry[]> {
  const principal = await runtime.caller(bearerToken(request.headers))
  const tenant = runtime.tenant(principal.tenant)
  return runtime.models.filter((m) => mayUse(principal, tenant, m.id))
}
