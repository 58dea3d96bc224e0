import type { UpstreamFailure } from '../../errors.js'
import type { ProviderErrorDetail } from '../shared/upstream-error.js'

/**
 * Anthropic's error body, `{"type":"error","error":{"type","message"}}`, also sent as a mid-stream
 * `error` event (https://docs.anthropic.com/en/api/errors). The type is more precise than the
 * status: `overloaded_error` arrives as 529, or inside a stream that began with 200.
 */
export function readAnthropicError(body: unknown): ProviderErrorDetail {
  const error = (body as { error?: { type?: unknown; message?: unknown } } | null)?.error
  if (!error || typeof error !== 'object') return {}
  const message = typeof error.message === 'string' ? error.message : undefined
  const failure = failureFor(typeof error.type === 'string' ? error.type : '', message ?? '')
  return { ...(message === undefined ? {} : { message }), ...(failure ? { failure } : {}) }
}

// "prompt is too long: 208310 tokens > 200000 maximum", and the older "exceeds context window"
const CONTEXT_LENGTH = /prompt is too long|context (window|length)|too many (input )?tokens/i

function failureFor(type: string, message: string): UpstreamFailure | undefined {
  switch (type) {
    case 'invalid_request_error':
      return CONTEXT_LENGTH.test(message) ? 'context_length' : 'bad_request'
    case 'authentication_error':
    case 'permission_error':
    // 402: the account has no credit left; like bad credentials, another target may serve.
    case 'billing_error':
      return 'auth'
    case 'not_found_error':
      return 'not_found'
    case 'request_too_large':
      return 'bad_request'
    case 'rate_limit_error':
      return 'rate_limited'
    case 'overloaded_error':
      return 'overloaded'
    case 'timeout_error':
      return 'timeout'
    case 'api_error':
      return 'server'
    default:
      return undefined
  }
}
