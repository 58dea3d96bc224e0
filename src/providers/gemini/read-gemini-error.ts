import type { UpstreamFailure } from '../../errors.js'
import type { ProviderErrorDetail } from '../shared/upstream-error.js'

/*
 * Google's error body (cloud.google.com/apis/design/errors, ai.google.dev/gemini-api/docs/troubleshooting):
 * `{"error":{"code":429,"message","status":"RESOURCE_EXHAUSTED","details":[...]}}`. The status
 * names the failure; a 429's `google.rpc.RetryInfo` detail carries `retryDelay` ("37s"), used as
 * Retry-After. An over-long prompt is an INVALID_ARGUMENT whose message says the input token
 * count exceeds the maximum.
 */
const FAILURES: Record<string, UpstreamFailure> = {
  INVALID_ARGUMENT: 'bad_request',
  FAILED_PRECONDITION: 'bad_request',
  OUT_OF_RANGE: 'bad_request',
  RESOURCE_EXHAUSTED: 'rate_limited',
  UNAUTHENTICATED: 'auth',
  PERMISSION_DENIED: 'auth',
  NOT_FOUND: 'not_found',
  DEADLINE_EXCEEDED: 'timeout',
  INTERNAL: 'server',
  UNAVAILABLE: 'server',
}

export function readGeminiError(body: unknown): ProviderErrorDetail {
  // Vertex AI answers some errors (e.g. a wrong path) with a one-element array of the same body.
  const record = (Array.isArray(body) ? body[0] : body) as { error?: unknown } | null
  const error = record?.error as { message?: unknown; status?: unknown; details?: unknown } | undefined
  if (!error || typeof error !== 'object') return {}
  const message = typeof error.message === 'string' ? error.message : undefined
  let failure = typeof error.status === 'string' ? FAILURES[error.status] : undefined
  // An invalid API key is a 400 INVALID_ARGUMENT whose ErrorInfo reason is API_KEY_INVALID.
  if (hasReason(error.details, 'API_KEY_INVALID')) failure = 'auth'
  else if (
    failure === 'bad_request' &&
    message &&
    /token count.*exceeds|exceeds the maximum number of tokens/i.test(message)
  ) {
    failure = 'context_length'
  }
  return { message, failure, retryAfterS: retryDelay(error.details) }
}

function hasReason(details: unknown, reason: string): boolean {
  return Array.isArray(details) && details.some((d) => (d as { reason?: unknown } | null)?.reason === reason)
}

function retryDelay(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined
  for (const detail of details) {
    const { '@type': type, retryDelay: delay } = (detail ?? {}) as Record<string, unknown>
    if (typeof type === 'string' && type.endsWith('google.rpc.RetryInfo') && typeof delay === 'string') {
      const seconds = /^(\d+(?:\.\d+)?)s$/.exec(delay)
      if (seconds) return Number(seconds[1])
    }
  }
  return undefined
}
