import type { ChatCompletion, ToolCall, Usage } from '../types.js'
import type { ConverseResponse, TokenUsage } from './converse-types.js'

/** What the OpenAI shape needs and Converse does not say: an id, a time, the model id. */
export interface ResponseMeta {
  id: string
  created: number
  model: string
}

/**
 * Converse response -> OpenAI chat completion. Text blocks join into `content`, toolUse blocks
 * become `tool_calls` (the toolUseId is the call id, so the tool result the caller sends back
 * finds its call), reasoning text goes to `reasoning_content` as DeepSeek-style servers do.
 */
export function fromConverseResponse(res: ConverseResponse, meta: ResponseMeta): ChatCompletion {
  let text = ''
  let reasoning = ''
  const toolCalls: ToolCall[] = []
  for (const block of res.output?.message?.content ?? []) {
    if ('text' in block) text += block.text
    else if ('toolUse' in block) {
      const { toolUseId, name, input } = block.toolUse
      toolCalls.push({
        id: toolUseId,
        type: 'function',
        function: { name, arguments: JSON.stringify(input ?? {}) },
      })
    } else if ('reasoningContent' in block) reasoning += block.reasoningContent.reasoningText?.text ?? ''
  }
  const message: ChatCompletion['choices'][number]['message'] = {
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
  }
  if (toolCalls.length > 0) message.tool_calls = toolCalls
  if (reasoning !== '') message['reasoning_content'] = reasoning
  const completion: ChatCompletion = {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, finish_reason: finishReason(res.stopReason), logprobs: null }],
  }
  if (res.usage) completion.usage = toUsage(res.usage)
  return completion
}

/**
 * Converse stop reasons (API_runtime_Converse.html#API_runtime_Converse_ResponseSyntax) in
 * OpenAI's terms. A guardrail or content filter stopping the answer is `content_filter`.
 */
export function finishReason(stopReason: string | undefined): string {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length'
    case 'tool_use':
      return 'tool_calls'
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter'
    default:
      // end_turn, stop_sequence, and reasons newer than this code
      return 'stop'
  }
}

/**
 * Bedrock counts cache reads and writes apart from `inputTokens` (as Anthropic does); OpenAI's
 * `prompt_tokens` includes cached tokens and breaks the cache hits out as `cached_tokens`.
 */
export function toUsage(usage: TokenUsage): Usage {
  const cacheRead = usage.cacheReadInputTokens ?? 0
  const prompt = usage.inputTokens + cacheRead + (usage.cacheWriteInputTokens ?? 0)
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.outputTokens,
    total_tokens: prompt + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: cacheRead },
  }
}
