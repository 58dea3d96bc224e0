import { UpstreamError, type UpstreamFailure } from '../../errors.js'
import { type ProviderErrorDetail, upstreamErrorFromResponse } from '../shared/upstream-error.js'

/**
 * Bedrock Runtime errors (API_runtime_Converse.html#API_runtime_Converse_Errors, and the AWS
 * auth errors every service returns) by their error type. A type the table does not know is
 * classified by its HTTP status.
 */
const FAILURE_BY_TYPE: Record<string, UpstreamFailure> = {
  ThrottlingException: 'rate_limited',
  // "The model is not ready to serve inference requests": AWS SDKs retry it, so do we.
  ModelNotReadyException: 'overloaded',
  ServiceUnavailableException: 'overloaded',
  ModelTimeoutException: 'timeout',
  InternalServerException: 'server',
  ModelErrorException: 'server',
  ModelStreamErrorException: 'server',
  AccessDeniedException: 'auth',
  UnrecognizedClientException: 'auth',
  InvalidSignatureException: 'auth',
  IncompleteSignatureException: 'auth',
  ExpiredTokenException: 'auth',
  ResourceNotFoundException: 'not_found',
  ValidationException: 'bad_request',
}

// Bedrock reports an over-long prompt as a ValidationException; these are its wordings
// ("Input is too long for requested model.", "too many input tokens", and the model's own
// "prompt is too long: N tokens > M maximum" relayed by Converse).
const CONTEXT_LENGTH =
  /input is too long|too many input tokens|prompt is too long|context window|maximum context length/i

/**
 * A non-2xx answer. The error type comes from the `x-amzn-errortype` header (`Type:namespace`),
 * else from the body's `__type`; the message from `message` (`Message` in some services).
 */
export function bedrockErrorFromResponse(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
): UpstreamError {
  const header = headers['x-amzn-errortype']
  const headerType = typeName(Array.isArray(header) ? header[0] : header)
  return upstreamErrorFromResponse(status, headers, bodyText, (body) => readBedrockError(body, headerType))
}

export function readBedrockError(body: unknown, headerType: string | undefined): ProviderErrorDetail {
  const record = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
  const type = headerType ?? typeName(typeof record['__type'] === 'string' ? record['__type'] : undefined)
  const raw = record['message'] ?? record['Message']
  const message = typeof raw === 'string' ? raw : undefined
  return {
    ...(message === undefined ? {} : { message: type ? `${type}: ${message}` : message }),
    ...(type === undefined ? {} : { failure: failureOf(type, message ?? '') }),
  }
}

/**
 * An `exception` message inside a ConverseStream (`:exception-type` is lowerCamel there:
 * throttlingException, modelStreamErrorException, validationException...). No status: the
 * stream had already begun with a 200.
 */
export function bedrockStreamError(exceptionType: string, message: string): UpstreamError {
  const type = exceptionType.charAt(0).toUpperCase() + exceptionType.slice(1)
  const failure = failureOf(type, message) ?? 'server'
  return new UpstreamError(failure, `${type}: ${message || 'the provider stream failed'}`)
}

function failureOf(type: string, message: string): UpstreamFailure | undefined {
  const failure = FAILURE_BY_TYPE[type]
  if (failure === 'bad_request' && CONTEXT_LENGTH.test(message)) return 'context_length'
  return failure
}

/** `ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/` -> `ValidationException`. */
function typeName(value: string | undefined): string | undefined {
  const name = value?.split(':')[0]?.split('#').at(-1)?.trim()
  return name === '' ? undefined : name
}
