import { UpstreamError } from '../../errors.js'
import { redactSecrets } from '../shared/redact-secrets.js'
import type { EventSourceMessage } from '../shared/sse.js'
import type { ChatChunk, ChunkChoice, Usage } from '../types.js'
import type { AnthropicStreamEvent, AnthropicUsage } from './anthropic-types.js'
import { finishReasonFrom } from './map-stop-reason.js'
import { usageFromAnthropic } from './map-usage.js'
import { readAnthropicError } from './read-anthropic-error.js'

/**
 * Anthropic's stream events (https://docs.anthropic.com/en/docs/build-with-claude/streaming) as
 * OpenAI chunks, one event at a time: text deltas become content, each `tool_use` block a tool call
 * whose `input_json_delta`s become argument deltas under the same tool index, `message_delta` the
 * finish reason, and `message_stop` the final usage chunk. An `error` event throws; a stream that
 * ends before `message_stop` was cut.
 */
export async function* anthropicStreamToChunks(
  events: AsyncIterable<EventSourceMessage>,
  opts: { jsonTool?: string | undefined; createdS: number },
): AsyncGenerator<ChatChunk> {
  let id = ''
  let model = ''
  let usage: Partial<AnthropicUsage> = {}
  // Anthropic numbers content blocks; OpenAI numbers tool calls. -1 marks the JSON-mode tool.
  const toolIndexOfBlock = new Map<number, number>()
  let tools = 0
  let done = false
  const chunk = (choices: ChunkChoice[], extra?: { usage: Usage }): ChatChunk => ({
    id,
    object: 'chat.completion.chunk',
    created: opts.createdS,
    model,
    choices,
    ...extra,
  })
  const delta = (d: ChunkChoice['delta'], finish: string | null = null) =>
    chunk([{ index: 0, delta: d, finish_reason: finish }])

  for await (const message of events) {
    if (done) continue
    const event = parse(message.data)
    switch (event.type) {
      case 'message_start':
        id = event.message.id
        model = event.message.model
        usage = { ...event.message.usage }
        yield delta({ role: 'assistant', content: '' })
        break
      case 'content_block_start': {
        const block = event.content_block
        if (block.type === 'text' && block.text !== '') yield delta({ content: block.text })
        if (block.type !== 'tool_use') break
        if (block.name === opts.jsonTool) {
          toolIndexOfBlock.set(event.index, -1)
          break
        }
        const index = tools++
        toolIndexOfBlock.set(event.index, index)
        const call = {
          index,
          id: block.id,
          type: 'function' as const,
          function: { name: block.name, arguments: '' },
        }
        yield delta({ tool_calls: [call] })
        break
      }
      case 'content_block_delta': {
        const d = event.delta as { type: string; text?: string; partial_json?: string }
        if (d.type === 'text_delta') yield delta({ content: d.text ?? '' })
        if (d.type !== 'input_json_delta' || !d.partial_json) break
        const index = toolIndexOfBlock.get(event.index)
        if (index === -1) yield delta({ content: d.partial_json })
        else if (index !== undefined)
          yield delta({ tool_calls: [{ index, function: { arguments: d.partial_json } }] })
        break
      }
      case 'message_delta': {
        // message_delta counts are cumulative; input counts appear here only on newer API versions.
        for (const [key, value] of Object.entries(event.usage ?? {})) if (value != null) usage[key] = value
        let finish = finishReasonFrom(event.delta.stop_reason)
        if (finish === 'tool_calls' && tools === 0) finish = 'stop'
        yield delta({}, finish)
        break
      }
      case 'message_stop':
        done = true
        yield chunk([], { usage: usageFromAnthropic(usage) })
        break
      case 'error': {
        const detail = readAnthropicError(event)
        throw new UpstreamError(
          detail.failure ?? 'server',
          redactSecrets(detail.message ?? 'provider reported an error mid-stream'),
        )
      }
      // ping, content_block_stop, and event types added later carry nothing to translate
    }
  }
  if (!done) throw new UpstreamError('stream_cut', 'provider closed the stream before message_stop')
}

function parse(data: string): AnthropicStreamEvent {
  try {
    return JSON.parse(data) as AnthropicStreamEvent
  } catch {
    throw new UpstreamError('invalid_response', 'provider sent a stream event that is not JSON')
  }
}
