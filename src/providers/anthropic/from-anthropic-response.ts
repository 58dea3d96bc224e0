import type { ChatCompletion, ToolCall } from '../types.js'
import type { AnthropicResponse } from './anthropic-types.js'
import { finishReasonFrom } from './map-stop-reason.js'
import { usageFromAnthropic } from './map-usage.js'

/**
 * An Anthropic message as an OpenAI chat completion: text blocks joined into `content`, `tool_use`
 * blocks as `tool_calls` (same ids, input serialized as arguments). With JSON mode the forced
 * tool's input is the content and the answer finished normally.
 */
export function fromAnthropicResponse(
  message: AnthropicResponse,
  opts: { jsonTool?: string | undefined; createdS: number },
): ChatCompletion {
  let text = ''
  const toolCalls: ToolCall[] = []
  let finish = finishReasonFrom(message.stop_reason)
  for (const block of message.content ?? []) {
    if (block.type === 'text') text += block.text
    else if (block.type === 'tool_use') {
      const args = JSON.stringify(block.input ?? {})
      if (block.name === opts.jsonTool) {
        text += args
        if (finish === 'tool_calls') finish = 'stop'
      } else {
        toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: args } })
      }
    }
  }
  return {
    id: message.id,
    object: 'chat.completion',
    created: opts.createdS,
    model: message.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' && toolCalls.length > 0 ? null : text,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finish,
        logprobs: null,
      },
    ],
    usage: usageFromAnthropic(message.usage ?? {}),
  }
}
