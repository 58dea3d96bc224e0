import { costUsd } from '../pricing/cost.js'
import type { ChatBody, ChatChunk, Usage } from '../providers/types.js'
import type { TokenEstimator } from '../routing/estimate-tokens.js'
import type { RoutingMetrics } from '../routing/routing-deps.js'
import type { RequestContext } from './context.js'
import type { Stage } from './stage.js'
import { afterAnswer } from './when-done.js'

/**
 * Meter: the tokens a call used, from the provider's reported usage, or counted with the
 * tokenizer when it reported none (a stream cut early, a server that omits usage); and the cost at
 * the served model's price. Sits right around execute, so the stages outside it (budget, limit,
 * record) find `ctx.usage` and `ctx.costUsd` set when the call, or its stream, is over. A stream's
 * usage chunk carries `cost_usd`; one is added at the end when the provider sent none.
 */
export const meter = (tokens: TokenEstimator, metrics: RoutingMetrics): Stage => ({
  name: 'meter',
  async run(ctx, next) {
    const result = await next()
    if (result.kind === 'stream')
      return { kind: 'stream', events: meterStream(ctx, result.events, tokens, metrics) }
    if (ctx.served && typeof result.response.model === 'string') ctx.served.version = result.response.model
    const usage = result.response.usage as Usage | undefined
    ctx.usage =
      usage ??
      (result.kind === 'chat'
        ? await counted(ctx, tokens, result.response.choices.map((c) => textOf(c.message.content)).join(''))
        : undefined)
    price(ctx)
    afterAnswer(ctx, () => report(ctx, metrics))
    return result
  },
})

async function* meterStream(
  ctx: RequestContext,
  events: AsyncIterable<ChatChunk>,
  tokens: TokenEstimator,
  metrics: RoutingMetrics,
): AsyncGenerator<ChatChunk> {
  const text: string[] = []
  let last: ChatChunk | undefined
  let done = false
  try {
    for await (const chunk of events) {
      if (!last && ctx.served && typeof chunk.model === 'string') ctx.served.version = chunk.model
      last = chunk
      if (chunk.usage) {
        ctx.usage = chunk.usage
        price(ctx)
        chunk.usage.cost_usd = ctx.costUsd
      } else {
        for (const choice of chunk.choices) {
          const piece = choice.delta.content
          if (typeof piece === 'string') text.push(piece)
          for (const call of choice.delta.tool_calls ?? []) text.push(call.function?.arguments ?? '')
        }
      }
      yield chunk
    }
    done = true
  } finally {
    if (!ctx.usage && !done) {
      // Cut or failed before usage arrived: count what was produced, so nothing goes unmetered,
      // without holding up the error on its way to the caller (the first count loads the
      // tokenizer). Budget, limit and record wait for `ctx.metering`.
      ctx.metering = counted(ctx, tokens, text.join('')).then((usage) => {
        if (usage) ctx.usage = usage
        price(ctx)
        report(ctx, metrics)
      })
    } else if (!done) afterAnswer(ctx, () => report(ctx, metrics))
  }
  if (!ctx.usage) {
    ctx.usage = await counted(ctx, tokens, text.join(''))
    price(ctx)
  }
  afterAnswer(ctx, () => report(ctx, metrics))
  if (last && !last.usage && ctx.usage) {
    // The stream ended cleanly without usage: give callers that asked for it the counted one.
    yield {
      id: last.id,
      object: 'chat.completion.chunk',
      created: last.created,
      model: last.model,
      choices: [],
      usage: { ...ctx.usage, cost_usd: ctx.costUsd },
    }
  }
}

async function counted(
  ctx: RequestContext,
  tokens: TokenEstimator,
  output: string,
): Promise<Usage | undefined> {
  if (ctx.operation !== 'chat' || !ctx.served) return undefined
  const [input, completion] = await Promise.all([
    tokens.countChatInput(ctx.body as ChatBody),
    tokens.countText(output),
  ])
  return {
    prompt_tokens: input,
    completion_tokens: completion,
    total_tokens: input + completion,
    estimated: true,
  }
}

function price(ctx: RequestContext): void {
  const model = ctx.served && ctx.runtime.config.models[ctx.served.target]
  if (!model || !ctx.usage) return
  if (model.price) ctx.costUsd = costUsd(model.price, ctx.usage)
}

function report(ctx: RequestContext, metrics: RoutingMetrics): void {
  if (!ctx.served || !ctx.usage) return
  metrics.metered(
    ctx.served.target,
    ctx.tenant ?? 'none',
    { input: ctx.usage.prompt_tokens, output: ctx.usage.completion_tokens ?? 0 },
    ctx.costUsd,
  )
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) return content.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('')
  return ''
}
