import type { ChatChunk } from '../providers/types.js'
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
