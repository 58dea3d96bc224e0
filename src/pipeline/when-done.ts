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
 * Run `fn` once the call's usage and cost are final: at once, or after meter's count of a stream
 * that was cut before its usage arrived (`ctx.metering`). What settles on usage (budgets, token
 * limits, the request log) goes through here.
 */
export function afterMetering(ctx: RequestContext, fn: () => void): void {
  if (ctx.metering) void ctx.metering.then(fn)
  else fn()
}
