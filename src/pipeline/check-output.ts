import type { OutputCheck } from '../protect/create-output-check.js'
import type { ChatChunk, ChatCompletion } from '../providers/types.js'
import type { RequestContext } from './context.js'
import { noteVerdicts, policyViolation } from './guard.js'
import type { Stage } from './stage.js'

/**
 * Check output: secrets, personal data the request did not carry, system-prompt leaks and deny
 * rules, on the provider's raw answer (before pseudonyms are restored). A blocked answer is 400
 * policy_violation; in a stream, whatever has already gone out cannot be recalled, so the stream
 * ends there with an error event.
 */
export const checkOutput = (): Stage => ({
  name: 'check-output',
  async run(ctx, next) {
    const result = await next()
    if (result.kind === 'embeddings' || !ctx.protection) return result
    const check = outputCheck(ctx)
    if (!check) return result
    if (result.kind === 'chat') {
      check.push(answerText(result.response))
      const blocked = check.end()
      note(ctx, check)
      if (blocked) throw policyViolation(blocked)
      return result
    }
    return { kind: 'stream', events: checkStream(ctx, result.events, check) }
  },
})

function outputCheck(ctx: RequestContext): OutputCheck | undefined {
  const overrides = ctx.runtime.tenant(ctx.tenant ?? '')?.guardrails
  return ctx.runtime.protect!.outputCheck(ctx.protection!, overrides)
}

function note(ctx: RequestContext, check: OutputCheck): void {
  if (check.verdicts.length > 0) noteVerdicts(ctx, check.verdicts)
}

async function* checkStream(
  ctx: RequestContext,
  events: AsyncIterable<ChatChunk>,
  check: OutputCheck,
): AsyncGenerator<ChatChunk> {
  try {
    for await (const chunk of events) {
      for (const choice of chunk.choices) {
        const blocked = check.push(deltaText(choice.delta))
        if (blocked) throw policyViolation(blocked)
      }
      yield chunk
    }
    const blocked = check.end()
    if (blocked) throw policyViolation(blocked)
  } finally {
    note(ctx, check)
  }
}

function deltaText(delta: ChatChunk['choices'][number]['delta']): string {
  let text = typeof delta.content === 'string' ? delta.content : ''
  for (const call of delta.tool_calls ?? []) text += call.function?.arguments ?? ''
  return text
}

function answerText(response: ChatCompletion): string {
  const parts: string[] = []
  for (const { message } of response.choices) {
    if (typeof message.content === 'string') parts.push(message.content)
    else if (Array.isArray(message.content))
      for (const p of message.content) if (p.type === 'text' && typeof p.text === 'string') parts.push(p.text)
    for (const call of message.tool_calls ?? []) parts.push(call.function.arguments)
  }
  return parts.join('\n')
}
