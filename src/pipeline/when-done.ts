import type { ChatChunk } from '../providers/types.js'
import type { RequestContext } from './context.js'
import type { Next, PipelineResult } from './stage.js'

/**
 * Run the rest of the pipeline and call `done` once it is over: at once after an answer or an
 * error, at the end of the stream (finished, failed or abandoned by the client) for a stream.
 * Stages that hold something for the call's duration (a concurrency slot, a budget reservation)
 * release it here.
 */
export async function whenDone(next: Next, done: () => void): Promise<PipelineResult> {
  let result: PipelineResult
  try {
    result = await next()
  } catch (err) {
    done()
    throw err
  }
  if (result.kind !== 'stream') {
    done()
    return result
  }
  return { kind: 'stream', events: doneAfter(result.events, done) }
}

async function* doneAfter(events: AsyncIterable<ChatChunk>, done: () => void): AsyncGenerator<ChatChunk> {
  try {
    yield* events
  } finally {
    done()
  }
}

/**
 * Run `fn` once the call's usage and cost are final and the answer is on its way to the caller:
 * after the response is written, or after meter's count of a stream that was cut before its usage
 * arrived (`ctx.metering`). What settles on usage (budgets, token limits, the request log) goes
 * through here.
 */
export function afterMetering(ctx: RequestContext, fn: () => void): void {
  if (ctx.metering) void ctx.metering.then(fn)
  else afterAnswer(ctx, fn)
}

/**
 * Run `fn` once the answer has been handed to the caller, or at once when nothing defers it (no
 * HTTP runner, or the answer is already out). Bookkeeping that the caller does not wait for
 * (settling budgets, the request log, metrics) then costs no latency: with one request at a time,
 * the caller reads its answer while the gateway does it.
 */
export function afterAnswer(ctx: RequestContext, fn: () => void): void {
  if (ctx.afterAnswer) ctx.afterAnswer.push(fn)
  else fn()
}

/**
 * Run what `afterAnswer` queued, once the answer has been written: on the next turn of the event
 * loop, after the write that Fastify makes when the handler's promise resolves. Later calls run at
 * once. A failure is logged: by then there is no caller to tell, and the rest must still run.
 */
export function answerHandedOver(ctx: RequestContext): void {
  const queued = ctx.afterAnswer
  ctx.afterAnswer = undefined
  if (queued && queued.length > 0) setImmediate(runQueued, queued, ctx)
}

function runQueued(queued: Array<() => void>, ctx: RequestContext): void {
  for (const fn of queued) {
    try {
      fn()
    } catch (err) {
      ctx.log.error({ err }, 'bookkeeping after the answer failed')
    }
  }
}
