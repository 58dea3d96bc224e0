import { UpstreamError, type UpstreamFailure } from '../../errors.js'
import { parseRetryAfter } from './retry-after.js'

/** Classify a non-2xx provider answer. The provider's message is kept: callers need it to fix a 400. */
export function upstreamErrorFromResponse(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
): UpstreamError {
  const message = providerMessage(bodyText) ?? `HTTP ${status}`
  return new UpstreamError(failureForStatus(status), message, {
    status,
    retryAfterS: parseRetryAfter(headers),
  })
}

function failureForStatus(status: number): UpstreamFailure {
  if (status === 408) return 'timeout'
  if (status === 429) return 'rate_limited'
  if (status === 401 || status === 403) return 'auth'
  if (status === 404) return 'not_found'
  if (status >= 400 && status < 500) return 'bad_request'
  return 'server'
}

/** Map a transport failure (undici codes, Node socket errors) to an upstream failure. */
export function upstreamErrorFromTransport(err: unknown): UpstreamError {
  if (err instanceof UpstreamError) return err
  const code = (err as { code?: string } | null)?.code ?? ''
  if (
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  ) {
    return new UpstreamError('timeout', `provider did not answer in time (${code})`, { cause: err })
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH') {
    return new UpstreamError('connection', `cannot connect to provider (${code})`, { cause: err })
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE' || code === 'UND_ERR_CLOSED') {
    return new UpstreamError('connection', `provider connection lost (${code})`, { cause: err })
  }
  return new UpstreamError('connection', `provider call failed (${code || 'unknown error'})`, { cause: err })
}

/** OpenAI-style `{"error":{"message"}}`, also the bare `{"message"}`/`{"detail"}` of some servers. */
function providerMessage(bodyText: string): string | undefined {
  try {
    const body = JSON.parse(bodyText) as Record<string, unknown>
    const error = body['error']
    if (typeof error === 'string') return error
    if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
      return (error as { message: string }).message
    }
    if (typeof body['message'] === 'string') return body['message']
    if (typeof body['detail'] === 'string') return body['detail']
  } catch {
    // not JSON: fall through to the trimmed text
  }
  const text = bodyText.trim()
  return text === '' ? undefined : text.slice(0, 500)
}
