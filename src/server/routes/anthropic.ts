import type { OutgoingHttpHeaders } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { UpstreamError } from '../../errors.js'
import { chunksToAnthropicEvents } from '../../providers/anthropic/chunks-to-anthropic-events.js'
import { fromAnthropicRequest } from '../../providers/anthropic/from-anthropic-request.js'
import { toAnthropicResponse } from '../../providers/anthropic/to-anthropic-response.js'
import type { ChatChunk } from '../../providers/types.js'
import { anthropicErrorBody, anthropicStreamError } from '../anthropic-error-body.js'
import { sendError, toGatewayError } from '../error-handler.js'
import { type PipelineRouteDeps, runPipeline } from '../run-pipeline.js'
import { COST_TRAILER, costTrailer, SseWriter } from '../sse.js'

/**
 * `POST /v1/messages`: Anthropic's Messages API in front of any configured model or route. The
 * request is translated to the canonical body and runs the same pipeline as /v1/chat/completions;
 * answers, streams and errors go back in Anthropic's wire format.
 */
export function registerAnthropicRoutes(app: FastifyInstance, deps: PipelineRouteDeps): void {
  app.post('/v1/messages', { errorHandler: anthropicError }, async function messages(request, reply) {
    // Anthropic's SDK reports this header as the request id (`_request_id`).
    reply.header('request-id', request.id)
    const body = fromAnthropicRequest(request.body)
    const stream = body.stream === true
    return runPipeline(request, reply, deps, { operation: 'chat', body, stream }, async (result, ctx) => {
      if (result.kind === 'chat') return toAnthropicResponse(result.response)
      if (result.kind !== 'stream') throw new Error(`unexpected ${result.kind} result for a chat request`)
      await writeStream(reply, result.events, () => ctx.costUsd)
      return reply
    })
  })
}

/** This route's failures, body parsing included, in Anthropic's error shape. */
function anthropicError(
  err: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const error = toGatewayError(err)
  if (error.kind === 'internal') request.log.error({ err }, 'unhandled error')
  return sendError(reply, error, anthropicErrorBody)
}

/**
 * Anthropic's SSE framing: each event named by an `event:` line matching its `type`. A failure after
 * the first byte ends the stream with an `error` event, as Anthropic's own streams do.
 */
async function writeStream(
  reply: FastifyReply,
  chunks: AsyncIterable<ChatChunk>,
  cost: () => number | undefined,
): Promise<void> {
  reply.hijack()
  const sse = new SseWriter(reply.raw)
  sse.start({ ...(reply.getHeaders() as OutgoingHttpHeaders), ...COST_TRAILER })
  try {
    for await (const event of chunksToAnthropicEvents(chunks)) {
      if (!sse.isOpen) break
      await sse.write(JSON.stringify(event), event.type)
    }
  } catch (err) {
    if (sse.isOpen) {
      const fallback = toGatewayError(err as Error)
      if (fallback.kind === 'internal' && !(err instanceof UpstreamError))
        reply.log.error({ err }, 'stream failed')
      else reply.log.warn({ failure: (err as UpstreamError).failure }, 'stream failed after the first byte')
      await sse.write(JSON.stringify(anthropicStreamError(err, fallback)), 'error')
    }
  } finally {
    sse.end(costTrailer(cost()))
  }
}
