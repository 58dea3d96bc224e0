import { GatewayError } from '../../errors.js'
import type { ChatMessage, ContentPart, ToolCall } from '../types.js'
import type {
  AnthropicBlock,
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicTextBlock,
} from './anthropic-types.js'

export interface AnthropicConversation {
  system?: AnthropicTextBlock[]
  messages: AnthropicMessage[]
}

/**
 * OpenAI chat messages as Anthropic's `system` + `messages`
 * (https://docs.anthropic.com/en/api/messages): system and developer messages become the top-level
 * system prompt (in order, wherever they stood), tool results become `tool_result` blocks in a
 * user turn, tool calls `tool_use` blocks with the same ids, and consecutive turns of one role are
 * merged, since Anthropic expects user and assistant turns to alternate.
 */
export function toAnthropicMessages(messages: ChatMessage[], provider: string): AnthropicConversation {
  const system: AnthropicTextBlock[] = []
  const out: AnthropicMessage[] = []
  for (const [i, message] of messages.entries()) {
    const path = `messages[${i}]`
    if (typeof message.name === 'string' && message.name !== '') {
      unsupported(provider, 'message names', `${path}.name`)
    }
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(message.content, provider, `${path}.content`))
        break
      case 'user':
        push(out, 'user', userBlocks(message.content, provider, `${path}.content`))
        break
      case 'assistant':
        push(out, 'assistant', assistantBlocks(message, path))
        break
      case 'tool':
        push(out, 'user', [
          {
            type: 'tool_result',
            tool_use_id: String(message.tool_call_id),
            content: textBlocks(message.content, provider, `${path}.content`),
          },
        ])
        break
      default:
        unsupported(provider, `the "${message.role}" role`, `${path}.role`)
    }
  }
  return system.length > 0 ? { system, messages: out } : { messages: out }
}

function push(out: AnthropicMessage[], role: 'user' | 'assistant', blocks: AnthropicBlock[]): void {
  // An empty turn carries nothing, and Anthropic rejects empty content.
  if (blocks.length === 0) return
  const last = out.at(-1)
  if (last?.role === role) (last.content as AnthropicBlock[]).push(...blocks)
  else out.push({ role, content: blocks })
}

function textBlocks(content: ChatMessage['content'], provider: string, path: string): AnthropicTextBlock[] {
  if (content === null || content === undefined || content === '') return []
  if (typeof content === 'string') return [{ type: 'text', text: content }]
  return content.map((part, j) => {
    if (part.type !== 'text') unsupported(provider, `"${part.type}" parts here`, `${path}[${j}]`)
    return { type: 'text', text: (part as { text: string }).text }
  })
}

function userBlocks(content: ChatMessage['content'], provider: string, path: string): AnthropicBlock[] {
  if (typeof content === 'string' || content === null || content === undefined) {
    return textBlocks(content, provider, path)
  }
  return content.map((part, j) => partBlock(part, provider, `${path}[${j}]`))
}

function partBlock(part: ContentPart, provider: string, path: string): AnthropicBlock {
  if (part.type === 'text') return { type: 'text', text: (part as { text: string }).text }
  if (part.type === 'image_url') return imageBlock((part as { image_url: { url: string } }).image_url.url)
  return unsupported(provider, `"${part.type}" content parts`, `${path}.type`)
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s

/** A data: URL becomes a base64 source, anything else a URL source (Anthropic fetches it). */
export function imageBlock(url: string): AnthropicImageBlock {
  const data = DATA_URL.exec(url)
  if (data) return { type: 'image', source: { type: 'base64', media_type: data[1]!, data: data[2]! } }
  return { type: 'image', source: { type: 'url', url } }
}

function assistantBlocks(message: ChatMessage, path: string): AnthropicBlock[] {
  const blocks: AnthropicBlock[] = []
  const { content } = message
  if (typeof content === 'string') {
    if (content !== '') blocks.push({ type: 'text', text: content })
  } else if (Array.isArray(content)) {
    for (const part of content) {
      if (part.type === 'text') blocks.push({ type: 'text', text: (part as { text: string }).text })
    }
  }
  for (const [k, call] of (message.tool_calls ?? []).entries()) {
    blocks.push(toolUseBlock(call, `${path}.tool_calls[${k}]`))
  }
  return blocks
}

function toolUseBlock(call: ToolCall, path: string): AnthropicBlock {
  let input: unknown
  try {
    input = call.function.arguments === '' ? {} : JSON.parse(call.function.arguments)
  } catch {
    throw new GatewayError(
      'bad_request',
      `Invalid request: '${path}.function.arguments' must be a JSON object (Anthropic takes tool input as JSON).`,
      { param: `${path}.function.arguments` },
    )
  }
  return { type: 'tool_use', id: call.id, name: call.function.name, input }
}

/** A feature the Anthropic Messages API cannot express: a 400 naming provider and feature. */
export function unsupported(provider: string, feature: string, param: string, droppable = false): never {
  const fix = droppable ? "remove it, or list it in the model's drop_params" : 'remove it'
  throw new GatewayError(
    'unsupported_operation',
    `Provider "${provider}" (anthropic) does not support ${feature} ('${param}'): ${fix}.`,
    { param },
  )
}
