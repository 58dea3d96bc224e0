import type { AnthropicStopReason } from './anthropic-types.js'

/**
 * Anthropic's `stop_reason` as OpenAI's `finish_reason`
 * (https://docs.anthropic.com/en/api/handling-stop-reasons). `pause_turn` (a server tool paused a
 * long turn) ends the answer as it stands, so it reads as `stop`; a refusal is a content filter.
 */
export function finishReasonFrom(stop: AnthropicStopReason | string | null | undefined): string | null {
  switch (stop) {
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop'
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length'
    case 'tool_use':
      return 'tool_calls'
    case 'refusal':
      return 'content_filter'
    case null:
    case undefined:
      return null
    default:
      return 'stop'
  }
}

/** OpenAI's `finish_reason` as Anthropic's `stop_reason`, for the /v1/messages surface. */
export function stopReasonFrom(finish: string | null | undefined): AnthropicStopReason {
  switch (finish) {
    case 'length':
      return 'max_tokens'
    case 'tool_calls':
    case 'function_call':
      return 'tool_use'
    case 'content_filter':
      return 'refusal'
    default:
      return 'end_turn'
  }
}
