import { type GatewayError, UpstreamError } from '../errors.js'
import type { AnthropicErrorBody } from '../providers/anthropic/anthropic-types.js'

/**
 * The gateway's errors in Anthropic's shape, `{"type":"error","error":{"type","message"}}`, with
 * the same status, so the Anthropic SDK raises its matching class (RateLimitError for 429...).
 * Types per https://docs.anthropic.com/en/api/errors.
 */
export function anthropicErrorBody(error: GatewayError): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(error.status), message: error.message } }
}

export function anthropicErrorType(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error'
    case 403:
      return 'permission_error'
    case 404:
      return 'not_found_error'
    case 413:
      return 'request_too_large'
    case 429:
      return 'rate_limit_error'
    case 503:
    case 529:
      return 'overloaded_error'
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error'
  }
}

/** The `error` event ending a stream that failed after its first byte. */
export function anthropicStreamError(err: unknown, fallback: GatewayError): AnthropicErrorBody {
  if (err instanceof UpstreamError) {
    const type =
      err.failure === 'overloaded'
        ? 'overloaded_error'
        : err.failure === 'rate_limited'
          ? 'rate_limit_error'
          : 'api_error'
    return { type: 'error', error: { type, message: `The provider stream failed: ${err.message}` } }
  }
  return anthropicErrorBody(fallback)
}
