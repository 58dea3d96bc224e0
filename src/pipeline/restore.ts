import { createStreamRestorer, type StreamRestorer } from '../protect/create-stream-restorer.js'
import type { PlaceholderVault } from '../protect/placeholder-vault.js'
import { restoreText } from '../protect/restore-text.js'
import type { ChatChunk, ChatCompletion, ChunkChoice } from '../providers/types.js'
import type { Stage } from './stage.js'

/**
 * Restore: put pseudonymized values back into the answer before the caller sees it: message
 * text and tool-call arguments, whole or streamed. In a stream, a placeholder can be split
 * across chunks anywhere; the restorer holds back only a tail that could still become one (at
 * most the longest placeholder), so the first token is not delayed.
 */
export const restore = (): Stage => ({
  name: 'restore',
  async run(ctx, next) {
    const result = await next()
    const vault = ctx.protection?.vault
    if (!vault || vault.size === 0 || result.kind === 'embeddings') return result
    if (result.kind === 'chat') return { kind: 'chat', response: restoreCompletion(result.response, vault) }
    return { kind: 'stream', events: restoreStream(result.events, vault) }
  },
})

function restoreCompletion(response: ChatCompletion, vault: PlaceholderVault): ChatCompletion {
  return {
    ...response,
    choices: response.choices.map((choice) => {
      const { message } = choice
      const content =
        typeof message.content === 'string'
          ? restoreText(message.content, vault)
          : Array.isArray(message.content)
            ? message.content.map((p) =>
                p.type === 'text' && typeof p.text === 'string'
                  ? { ...p, text: restoreText(p.text, vault) }
                  : p,
              )
            : message.content
      const toolCalls = message.tool_calls?.map((call) => ({
        ...call,
        function: { ...call.function, arguments: restoreText(call.function.arguments, vault) },
      }))
      return { ...choice, message: { ...message, content, ...(toolCalls ? { tool_calls: toolCalls } : {}) } }
    }),
  }
}

/** One restorer per choice's text and per tool call's arguments; flushed when the choice finishes. */
async function* restoreStream(
  events: AsyncIterable<ChatChunk>,
  vault: PlaceholderVault,
): AsyncGenerator<ChatChunk> {
  const restorers = new Map<string, StreamRestorer>()
  const restorer = (key: string): StreamRestorer => {
    let r = restorers.get(key)
    if (!r) {
      r = createStreamRestorer(vault)
      restorers.set(key, r)
    }
    return r
  }
  let last: ChatChunk | undefined
  for await (const chunk of events) {
    last = chunk
    const flushed: ChunkChoice[] = []
    for (const choice of chunk.choices) {
      const { delta } = choice
      if (typeof delta.content === 'string') delta.content = restorer(`${choice.index}`).push(delta.content)
      for (const call of delta.tool_calls ?? []) {
        if (typeof call.function?.arguments === 'string') {
          call.function.arguments = restorer(`${choice.index}:${call.index}`).push(call.function.arguments)
        }
      }
      if (choice.finish_reason !== null) {
        const rest = flush(restorers, choice.index)
        if (rest) flushed.push(rest)
      }
    }
    // What was held back goes out before the chunk that finishes its choice.
    if (flushed.length > 0) yield { ...chunk, choices: flushed, usage: null }
    yield chunk
  }
  const choices: ChunkChoice[] = []
  for (const index of new Set([...restorers.keys()].map((k) => Number(k.split(':')[0])))) {
    const rest = flush(restorers, index)
    if (rest) choices.push(rest)
  }
  if (choices.length > 0 && last) yield { ...last, choices, usage: null }
}

/** What a choice's restorers still hold, as one delta; undefined when nothing was held. */
function flush(restorers: Map<string, StreamRestorer>, index: number): ChunkChoice | undefined {
  const delta: ChunkChoice['delta'] = {}
  for (const [key, r] of restorers) {
    const [choice, call] = key.split(':')
    if (Number(choice) !== index) continue
    const text = r.flush()
    restorers.delete(key)
    if (text === '') continue
    if (call === undefined) delta.content = text
    else {
      delta.tool_calls ??= []
      delta.tool_calls.push({ index: Number(call), function: { arguments: text } })
    }
  }
  if (delta.content === undefined && delta.tool_calls === undefined) return undefined
  return { index, delta, finish_reason: null }
}
