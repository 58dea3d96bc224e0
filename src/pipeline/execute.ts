import { GatewayError, UpstreamError } from '../errors.js'
import type { CallOptions, ChatBody, ChatChunk, EmbeddingsBody } from '../providers/types.js'
import type { RequestContext, Target } from './context.js'
import { prepareBody } from './prepare-body.js'
import type { PipelineResult, Stage } from './stage.js'

/**
 * Execute: call the targets in order until one answers. A failure the next target may not share
 * (rate limit, outage, timeout, connection) moves on; a caller's bad request does not. For a
 * stream the response is held until the first event has arrived, so a target that fails before
 * its first byte can still be replaced; after that, failures surface mid-stream.
 */
export const execute = (): Stage => ({
  name: 'execute',
  async run(ctx) {
    const failures: Array<{ target: Target; error: UpstreamError }> = []
    for (const target of ctx.targets) {
      const startedMs = performance.now()
      try {
        const result = await attempt(ctx, target)
        ctx.attempts.push({
          target: target.name,
          provider: target.provider.config.name,
          durationMs: performance.now() - startedMs,
          ok: true,
        })
        ctx.served = { provider: target.provider.config.name, model: target.model.model, target: target.name }
        return result
      } catch (err) {
        if (!(err instanceof UpstreamError) || ctx.signal.aborted) throw err
        ctx.attempts.push({
          target: target.name,
          provider: target.provider.config.name,
          durationMs: performance.now() - startedMs,
          ok: false,
          failure: err.failure,
          ...(err.status === undefined ? {} : { status: err.status }),
        })
        ctx.log.warn(
          { target: target.name, failure: err.failure, status: err.status },
          'upstream attempt failed',
        )
        failures.push({ target, error: err })
        if (!err.retryable) break
      }
    }
    throw finalError(failures)
  },
})

async function attempt(ctx: RequestContext, target: Target): Promise<PipelineResult> {
  const opts: CallOptions = {
    signal: ctx.signal,
    model: target.model,
    requestId: ctx.id,
    simulate: ctx.simulate,
  }
  if (ctx.operation === 'embeddings') {
    const response = await target.provider.embed(prepareBody(ctx.body as EmbeddingsBody, target.model), opts)
    return { kind: 'embeddings', response }
  }
  const body = prepareBody(ctx.body as ChatBody, target.model)
  if (!ctx.stream) return { kind: 'chat', response: await target.provider.chat(body, opts) }

  const events = await target.provider.stream(body, opts)
  const iterator = events[Symbol.asyncIterator]()
  const first = await iterator.next()
  return { kind: 'stream', events: resume(first, iterator) }
}

async function* resume(
  first: IteratorResult<ChatChunk>,
  rest: AsyncIterator<ChatChunk>,
): AsyncGenerator<ChatChunk> {
  if (first.done) return
  yield first.value
  // Delegating keeps return() flowing to the provider's iterator when the writer stops early.
  yield* { [Symbol.asyncIterator]: () => rest }
}

/** One error for the caller from every attempt: the cause that explains the outcome best. */
function finalError(failures: Array<{ target: Target; error: UpstreamError }>): GatewayError {
  const last = failures.at(-1)
  if (!last) return new GatewayError('upstream_unavailable', 'No target was available for this request.')
  const attempts = failures.length
  const where = { attempts, provider: last.target.provider.config.name, model: last.target.model.model }
  const { error } = last
  if (error.failure === 'bad_request') {
    return new GatewayError(
      'upstream_bad_request',
      `The provider rejected the request: ${error.message}`,
      where,
    )
  }
  if (failures.every((f) => f.error.failure === 'rate_limited')) {
    const waits = failures.map((f) => f.error.retryAfterS).filter((s): s is number => s !== undefined)
    return new GatewayError('rate_limited', `Every target is rate limited (${summary(failures)}).`, {
      ...where,
      ...(waits.length > 0 ? { retryAfterS: Math.ceil(Math.min(...waits)) } : {}),
    })
  }
  if (error.failure === 'timeout') {
    return new GatewayError('upstream_timeout', `No target answered in time (${summary(failures)}).`, where)
  }
  if (error.failure === 'connection') {
    return new GatewayError(
      'upstream_unavailable',
      `No target could be reached (${summary(failures)}).`,
      where,
    )
  }
  return new GatewayError('upstream_error', `No target answered successfully (${summary(failures)}).`, where)
}

/** `openai: HTTP 503; vllm: timeout`: provider names and failure classes, never provider bodies. */
function summary(failures: Array<{ target: Target; error: UpstreamError }>): string {
  return failures
    .map(({ target, error }) => {
      const what = error.status === undefined ? error.failure.replace('_', ' ') : `HTTP ${error.status}`
      return `${target.name}: ${what}`
    })
    .join('; ')
}
