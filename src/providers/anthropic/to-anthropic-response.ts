import { GatewayError } from '../../errors.js'
import type { ChatCompletion, ChatMessage } from '../types.js'
import type { AnthropicBlock, AnthropicResponse } from './anthropic-types.js'
import { stopReasonFrom } from './map-stop-reason.js'
import { anthropicUsageFrom } from './map-usage.js'

/**
 * A canonical chat completion as Anthropic's message, for the /v1/messages surface: the text as
 * one text block, then each tool call as a `tool_use` block with the same id and its arguments
 * parsed into `input`.
 */
export function toAnthropicResponse(completion: ChatCompletion): AnthropicResponse {
  const choice = completion.choices[0]
  const content: AnthropicBlock[] = []
  const text = textOf(choice?.message.content)
  if (text !== '') content.push({ type: 'text', text })
  for (const call of choice?.message.tool_calls ?? []) {
    content.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: toolInput(call.function.arguments),
    })
  }
  // Anthropic answers always hold a block; SDK users read content[0].
  if (content.length === 0) content.push({ type: 'text', text: '' })
  return {
    id: completion.id,
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content,
    stop_reason: stopReasonFrom(choice?.finish_reason),
    stop_sequence: null,
    usage: anthropicUsageFrom(completion.usage),
  }
}

export function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content.map((part) => (part.type === 'text' ? String(part['text']) : '')).join('')
}

/** Tool input is a JSON object on Anthropic's side; an unparseable one cannot be passed on. */
function toolInput(args: string): unknown {
  if (args.trim() === '') return {}
  try {
    return JSON.parse(args)
  } catch {
    throw new GatewayError(
      'upstream_error',
      'The model returned tool call arguments that are not valid JSON.',
    )
  }
}
