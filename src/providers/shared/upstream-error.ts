import { UpstreamError, type UpstreamFailure } from '../../errors.js'
import { redactSecrets } from './redact-secrets.js'
import { parseRetryAfter } from './retry-after.js'

/**
 * What a provider's error body says, read by each adapter in its own format: the message kept for
 * the caller, and the failure class when the body is more precise than the status (an OpenAI 400
 * with code `context_length_exceeded`, an Anthropic `overloaded_error`).
 */
export interface ProviderErrorDetail {
  message?: string | undefined
  failure?: UpstreamFailure | undefined
  /** A wait the body asks for (Google's RetryInfo `retryDelay`), used when no header gives one. */
  retryAfterS?: number | undefined
}

export type ProviderErrorReader = (body: unknown) => ProviderErrorDetail

/**
 * Classify a non-2xx provider answer. The provider's message is kept, since callers need it to fix
 * a 400. `read` interprets the provider's own error shape; the default reads OpenAI's.
 */
export function upstreamErrorFromResponse(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
  read: ProviderErrorReader = readOpenAIError,
): UpstreamError {
  let detail: ProviderErrorDetail = {}
  try {
    detail = read(JSON.parse(bodyText))
  } catch {
    // not JSON (a proxy's HTML page, a bare text): the status decides, the text is the message
  }
  // Providers echo credentials in some messages (OpenAI's 401 prints part of the key).
  const message = redactSecrets(detail.message ?? plainText(bodyText) ?? `HTTP ${status}`)
  return new UpstreamError(detail.failure ?? failureForStatus(status), message, {
    status,
    retryAfterS: parseRetryAfter(headers) ?? detail.retryAfterS,
  })
}

/** The failure class a status alone implies. */
export function failureForStatus(status: number): UpstreamFailure {
  if (status === 408) return 'timeout'
  if (status === 429) return 'rate_limited'
  // Anthropic's "overloaded"; also used by other servers behind Cloudflare-style fronts.
  if (status === 529) return 'overloaded'
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

/**
 * OpenAI's `{"error":{"message","code"}}`, also the bare `{"message"}`/`{"detail"}` of some
 * OpenAI-compatible servers (vLLM, TGI). Codes per OpenAI's error guide and Azure's content filter.
 */
export function readOpenAIError(body: unknown): ProviderErrorDetail {
  if (!body || typeof body !== 'object') return {}
  const record = body as Record<string, unknown>
  const error = record['error']
  if (typeof error === 'string') return { message: error }
  if (error && typeof error === 'object') {
    const { message, code } = error as { message?: unknown; code?: unknown }
    return {
      ...(typeof message === 'string' ? { message } : {}),
      ...(code === 'context_length_exceeded' ? { failure: 'context_length' as const } : {}),
      ...(code === 'content_filter' ? { failure: 'content_filter' as const } : {}),
    }
  }
  if (typeof record['message'] === 'string') return { message: record['message'] }
  if (typeof record['detail'] === 'string') return { message: record['detail'] }
  return {}
}

function plainText(bodyText: string): string | undefined {
  const text = bodyText.trim()
  return text === '' ? undefined : text.slice(0, 500)
}
