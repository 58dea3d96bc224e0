/**
 * The gateway's error catalogue. Every failure a caller can see is a `GatewayError` with a `kind`
 * from this closed union; `ERROR_TABLE` maps each kind to its HTTP status and OpenAI `type`/`code`,
 * and `satisfies` makes a new kind fail to compile until it has its row.
 */
export type ErrorKind =
  | 'bad_request'
  | 'invalid_json'
  | 'unsupported_media_type'
  | 'body_too_large'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'model_not_found'
  | 'unsupported_operation'
  | 'context_length_exceeded'
  | 'content_filtered'
  | 'cost_ceiling_exceeded'
  | 'policy_violation'
  | 'data_policy_denied'
  | 'guardrail_unavailable'
  | 'rate_limited'
  | 'budget_exceeded'
  | 'loop_detected'
  | 'limits_unavailable'
  | 'auth_unavailable'
  | 'upstream_bad_request'
  | 'upstream_error'
  | 'upstream_unavailable'
  | 'upstream_timeout'
  | 'shutting_down'
  | 'internal'

type Row = readonly [status: number, type: string, code: string]

export const ERROR_TABLE = {
  bad_request: [400, 'invalid_request_error', 'invalid_request'],
  invalid_json: [400, 'invalid_request_error', 'invalid_json'],
  unsupported_media_type: [415, 'invalid_request_error', 'unsupported_media_type'],
  body_too_large: [413, 'invalid_request_error', 'request_too_large'],
  unauthenticated: [401, 'invalid_request_error', 'invalid_api_key'],
  forbidden: [403, 'invalid_request_error', 'forbidden'],
  not_found: [404, 'invalid_request_error', 'unknown_url'],
  conflict: [409, 'invalid_request_error', 'conflict'],
  model_not_found: [404, 'invalid_request_error', 'model_not_found'],
  unsupported_operation: [400, 'invalid_request_error', 'unsupported_operation'],
  context_length_exceeded: [400, 'invalid_request_error', 'context_length_exceeded'],
  // The provider's safety system refused the prompt: retrying elsewhere is the caller's choice.
  content_filtered: [400, 'invalid_request_error', 'content_filter'],
  cost_ceiling_exceeded: [400, 'invalid_request_error', 'cost_ceiling_exceeded'],
  // A guardrail blocked the request or the answer; the message names the rule, never the text.
  policy_violation: [400, 'invalid_request_error', 'policy_violation'],
  // The data is too sensitive for every target the request could go to.
  data_policy_denied: [403, 'invalid_request_error', 'data_policy_denied'],
  // A remote guardrail (classifier, guard model) did not answer and the policy is to fail closed.
  guardrail_unavailable: [503, 'server_error', 'guardrail_unavailable'],
  rate_limited: [429, 'rate_limit_error', 'rate_limit_exceeded'],
  // OpenAI's type for a spent quota; the SDKs raise their RateLimitError for any 429.
  budget_exceeded: [429, 'insufficient_quota', 'budget_exceeded'],
  loop_detected: [429, 'rate_limit_error', 'loop_detected'],
  // Shared limits cannot be checked (Redis unreachable) and the policy is to fail closed.
  limits_unavailable: [503, 'server_error', 'limits_unavailable'],
  // The identity provider's keys (JWKS) cannot be fetched: not the caller's fault.
  auth_unavailable: [503, 'server_error', 'auth_unavailable'],
  // The provider refused the request as malformed: the caller's mistake, so the status stays 400.
  upstream_bad_request: [400, 'invalid_request_error', 'upstream_bad_request'],
  upstream_error: [502, 'server_error', 'upstream_error'],
  upstream_unavailable: [503, 'server_error', 'upstream_unavailable'],
  upstream_timeout: [504, 'server_error', 'upstream_timeout'],
  shutting_down: [503, 'server_error', 'shutting_down'],
  internal: [500, 'server_error', 'internal_error'],
} as const satisfies Record<ErrorKind, Row>

export interface GatewayErrorOptions {
  param?: string | null
  retryAfterS?: number
  cause?: unknown
  /** Attempts made before giving up, for `x-gatehouse-attempts`. */
  attempts?: number
  provider?: string
  model?: string
}

export class GatewayError extends Error {
  readonly kind: ErrorKind
  readonly param: string | null
  readonly retryAfterS: number | undefined
  readonly attempts: number | undefined
  readonly provider: string | undefined
  readonly model: string | undefined

  constructor(kind: ErrorKind, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'GatewayError'
    this.kind = kind
    this.param = options.param ?? null
    this.retryAfterS = options.retryAfterS
    this.attempts = options.attempts
    this.provider = options.provider
    this.model = options.model
  }

  get status(): number {
    return ERROR_TABLE[this.kind][0]
  }
}

export interface ErrorBody {
  error: { message: string; type: string; code: string; param: string | null }
}

/** OpenAI's error body shape, which the official SDKs turn into typed errors. */
export function errorBody(err: GatewayError): ErrorBody {
  const [, type, code] = ERROR_TABLE[err.kind]
  return { error: { message: err.message, type, code, param: err.param } }
}

/**
 * Why an upstream call failed, in terms that retry and fallback decisions can use. Raw provider
 * bodies stay out of `message` except the provider's own error message, which callers need to fix
 * a bad request.
 */
export type UpstreamFailure =
  | 'bad_request'
  | 'auth'
  | 'not_found'
  | 'rate_limited'
  | 'overloaded'
  | 'context_length'
  | 'content_filter'
  | 'server'
  | 'timeout'
  | 'connection'
  | 'stream_cut'
  | 'invalid_response'

export interface UpstreamErrorOptions {
  status?: number
  retryAfterS?: number
  cause?: unknown
}

export class UpstreamError extends Error {
  readonly failure: UpstreamFailure
  readonly status: number | undefined
  readonly retryAfterS: number | undefined

  constructor(failure: UpstreamFailure, message: string, options: UpstreamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'UpstreamError'
    this.failure = failure
    this.status = options.status
    this.retryAfterS = options.retryAfterS
  }

  /**
   * Whether trying the same target again may succeed: rate limits, timeouts, lost connections,
   * garbled answers and the 5xx statuses that mean "try later" (500, 502, 503, 504). A caller's
   * 400, an auth failure or an unknown model will fail the same way again.
   */
  get retryable(): boolean {
    switch (this.failure) {
      case 'rate_limited':
      case 'overloaded':
      case 'timeout':
      case 'connection':
      case 'stream_cut':
      case 'invalid_response':
        return true
      case 'server':
        return this.status === undefined || RETRYABLE_5XX.has(this.status)
      default:
        return false
    }
  }
}

const RETRYABLE_5XX: ReadonlySet<number> = new Set([500, 502, 503, 504])
