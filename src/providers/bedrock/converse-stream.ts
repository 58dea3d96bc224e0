import { TextDecoder } from 'node:util'
import { UpstreamError } from '../../errors.js'
import type { EventStreamMessage } from '../shared/event-stream.js'
import type { ChatChunk, ChunkChoice } from '../types.js'
import { bedrockStreamError } from './bedrock-error.js'
import type { TokenUsage } from './converse-types.js'
import { finishReason, type ResponseMeta, toUsage } from './from-converse.js'

/** The payloads of ConverseStream events (API_runtime_ConverseStreamOutput.html), as the gateway reads them. */
interface StreamEvent {
  role?: string
  contentBlockIndex?: number
  start?: { toolUse?: { toolUseId: string; name: string } }
  delta?: { text?: string; toolUse?: { input: string }; reasoningContent?: { text?: string } }
  stopReason?: string
  usage?: TokenUsage
}

/**
 * ConverseStream event-stream messages -> OpenAI chunks, one by one as they arrive: messageStart
 * gives the role, contentBlockStart a tool call's id and name, contentBlockDelta text or a piece
 * of the tool input JSON, messageStop the finish reason, metadata the usage (a final chunk with
 * no choices, as OpenAI's `include_usage`). An `exception` message ends the stream with its
 * failure; an end before messageStop is a cut stream.
 */
export async function* converseStreamChunks(
  messages: AsyncIterable<EventStreamMessage>,
  meta: ResponseMeta,
): AsyncGenerator<ChatChunk> {
  type Choice = { delta: ChunkChoice['delta']; finish_reason: string | null }
  const chunk = (choice: Choice | undefined, usage?: ChatChunk['usage']): ChatChunk => ({
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    choices: choice ? [{ index: 0, ...choice }] : [],
    ...(usage ? { usage } : {}),
  })
  // OpenAI numbers tool calls 0, 1, ...; Converse numbers every content block.
  const toolIndexByBlock = new Map<number, number>()
  const decoder = new TextDecoder()
  let stopped = false
  for await (const message of messages) {
    const event = parseEvent(message, decoder)
    if (!event) continue
    const [type, payload] = event
    switch (type) {
      case 'messageStart':
        yield chunk({ delta: { role: 'assistant', content: '' }, finish_reason: null })
        break
      case 'contentBlockStart': {
        const tool = payload.start?.toolUse
        if (!tool) break
        const index = toolIndexByBlock.size
        toolIndexByBlock.set(payload.contentBlockIndex ?? index, index)
        yield chunk({
          delta: {
            tool_calls: [
              { index, id: tool.toolUseId, type: 'function', function: { name: tool.name, arguments: '' } },
            ],
          },
          finish_reason: null,
        })
        break
      }
      case 'contentBlockDelta': {
        const delta = payload.delta ?? {}
        if (delta.text !== undefined) yield chunk({ delta: { content: delta.text }, finish_reason: null })
        else if (delta.toolUse !== undefined) {
          const index = toolIndexByBlock.get(payload.contentBlockIndex ?? -1)
          if (index === undefined)
            throw new UpstreamError('invalid_response', 'tool input for a block that never started')
          yield chunk({
            delta: { tool_calls: [{ index, function: { arguments: delta.toolUse.input } }] },
            finish_reason: null,
          })
        } else if (delta.reasoningContent?.text !== undefined) {
          yield chunk({ delta: { reasoning_content: delta.reasoningContent.text }, finish_reason: null })
        }
        break
      }
      case 'messageStop':
        stopped = true
        yield chunk({ delta: {}, finish_reason: finishReason(payload.stopReason) })
        break
      case 'metadata':
        if (payload.usage) yield chunk(undefined, toUsage(payload.usage))
        break
      // contentBlockStop, and events newer than this code: nothing to say in OpenAI's shape
    }
  }
  if (!stopped) throw new UpstreamError('stream_cut', 'provider closed the stream before it finished')
}

/** An event's type and JSON payload; an exception or error message is thrown as its failure. */
function parseEvent(message: EventStreamMessage, decoder: TextDecoder): [string, StreamEvent] | undefined {
  const { headers } = message
  const text = decoder.decode(message.body)
  switch (headers[':message-type']) {
    case 'event':
      try {
        return [headers[':event-type'] ?? '', JSON.parse(text) as StreamEvent]
      } catch {
        throw new UpstreamError('invalid_response', 'provider sent a stream event that is not JSON')
      }
    case 'exception':
      throw bedrockStreamError(headers[':exception-type'] ?? 'unknown', messageOf(text))
    case 'error':
      // The protocol's own errors carry code and message in headers, not in the payload.
      throw bedrockStreamError(headers[':error-code'] ?? 'unknown', headers[':error-message'] ?? '')
    default:
      return undefined
  }
}

function messageOf(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; Message?: unknown }
    const message = body.message ?? body.Message
    return typeof message === 'string' ? message : ''
  } catch {
    return text.slice(0, 500)
  }
}
