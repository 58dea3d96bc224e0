import type { ChatChunk, Usage } from '../types.js'
import type { AnthropicStreamEvent } from './anthropic-types.js'
import { stopReasonFrom } from './map-stop-reason.js'
import { anthropicUsageFrom } from './map-usage.js'

/**
 * A canonical chunk stream as Anthropic's event sequence
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming): `message_start`, then per
 * content block `content_block_start`, deltas (`text_delta`, or `input_json_delta` for a tool
 * call's arguments) and `content_block_stop`, then `message_delta` with the stop reason and usage,
 * and `message_stop`. Usage arrives after the finish reason in OpenAI's streams, so
 * `message_delta` waits for the end of the stream; content is never held back.
 */
export async function* chunksToAnthropicEvents(
  chunks: AsyncIterable<ChatChunk>,
): AsyncGenerator<AnthropicStreamEvent> {
  let started = false
  let open: number | undefined
  let openKind: 'text' | 'tool' | undefined
  let blocks = 0
  const blockOfTool = new Map<number, number>()
  let finish: string | null = null
  let usage: Usage | undefined

  function* close(): Generator<AnthropicStreamEvent> {
    if (open !== undefined) yield { type: 'content_block_stop', index: open }
    open = undefined
    openKind = undefined
  }

  for await (const chunk of chunks) {
    if (!started) {
      started = true
      yield messageStart(chunk.id, chunk.model)
    }
    if (chunk.usage) usage = chunk.usage
    const choice = chunk.choices[0]
    if (!choice) continue
    const text = choice.delta.content
    if (typeof text === 'string' && text !== '') {
      if (openKind !== 'text') {
        yield* close()
        open = blocks++
        openKind = 'text'
        yield { type: 'content_block_start', index: open, content_block: { type: 'text', text: '' } }
      }
      yield { type: 'content_block_delta', index: open!, delta: { type: 'text_delta', text } }
    }
    for (const call of choice.delta.tool_calls ?? []) {
      let index = blockOfTool.get(call.index)
      if (index === undefined) {
        yield* close()
        index = blocks++
        blockOfTool.set(call.index, index)
        open = index
        openKind = 'tool'
        const block = {
          type: 'tool_use' as const,
          id: call.id ?? `toolu_${index}`,
          name: call.function?.name ?? '',
          input: {},
        }
        yield { type: 'content_block_start', index, content_block: block }
      }
      const partial = call.function?.arguments
      if (partial)
        yield {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: partial },
        }
    }
    if (choice.finish_reason) {
      finish = choice.finish_reason
      yield* close()
    }
  }
  if (!started) yield messageStart('msg_empty', '')
  yield* close()
  const { input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens } =
    anthropicUsageFrom(usage)
  yield {
    type: 'message_delta',
    delta: { stop_reason: stopReasonFrom(finish), stop_sequence: null },
    usage: { input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens },
  }
  yield { type: 'message_stop' }
}

function messageStart(id: string, model: string): AnthropicStreamEvent {
  return {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // Counts are known at the end; message_delta carries the totals.
      usage: { input_tokens: 0, output_tokens: 0 },
    },
  }
}
