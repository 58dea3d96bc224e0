import type { ChatChunk, ChatCompletion, EmbeddingsResponse } from '../providers/types.js'
import type { RequestContext } from './context.js'

/** What the pipeline hands back to the route handler. Streams are consumed by the writer. */
export type PipelineResult =
  | { kind: 'chat'; response: ChatCompletion }
  | { kind: 'stream'; events: AsyncIterable<ChatChunk> }
  | { kind: 'embeddings'; response: EmbeddingsResponse }

export type Next = () => Promise<PipelineResult>

/**
 * A named step of the request path. Request-side stages enrich `ctx` or throw a `GatewayError`;
 * response-side stages wrap what `next()` returns. The name appears in logs and audit records.
 */
export interface Stage {
  readonly name: string
  run(ctx: RequestContext, next: Next): Promise<PipelineResult>
}

/** Compose stages once, at startup, into one function; the last stage must not call `next`. */
export function compose(stages: readonly Stage[]): (ctx: RequestContext) => Promise<PipelineResult> {
  return function runPipeline(ctx) {
    let index = -1
    const dispatch = (i: number): Promise<PipelineResult> => {
      if (i <= index) return Promise.reject(new Error('next() called twice in one stage'))
      index = i
      const stage = stages[i]
      if (!stage) return Promise.reject(new Error(`stage ${stages[i - 1]?.name} called next() but is last`))
      ctx.stage = stage.name
      return stage.run(ctx, () => dispatch(i + 1))
    }
    return dispatch(0)
  }
}
