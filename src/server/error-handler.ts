import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { errorBody, GatewayError } from '../errors.js'

/**
 * Every failure leaves as OpenAI's error body with a precise status. Fastify's own errors (body
 * parsing, size limit) are translated here; anything unexpected is a 500 whose details stay in
 * the log, never in the response.
 */
export function handleError(
  err: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const error = toGatewayError(err)
  if (error.kind === 'internal') {
    request.log.error({ err }, 'unhandled error')
  }
  return sendError(reply, error)
}

/** Status and headers for a failure; the body is OpenAI's unless a surface speaks another format. */
export function sendError(
  reply: FastifyReply,
  error: GatewayError,
  body: (error: GatewayError) => unknown = errorBody,
): FastifyReply {
  if (error.retryAfterS !== undefined) reply.header('retry-after', String(Math.ceil(error.retryAfterS)))
  if (error.attempts !== undefined) reply.header('x-gatehouse-attempts', String(error.attempts))
  if (error.provider !== undefined) reply.header('x-gatehouse-provider', error.provider)
  if (error.model !== undefined) reply.header('x-gatehouse-model', error.model)
  return reply.code(error.status).type('application/json').send(body(error))
}

export function toGatewayError(err: FastifyError | Error): GatewayError {
  if (err instanceof GatewayError) return err
  const code = (err as FastifyError).code
  const status = (err as FastifyError).statusCode
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatewayError(
        'body_too_large',
        'The request body is larger than this gateway accepts (server.body_limit_mb).',
      )
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new GatewayError(
        'unsupported_media_type',
        'Send the request body as JSON with Content-Type: application/json.',
      )
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatewayError('invalid_json', 'The request body is empty; send a JSON object.')
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new GatewayError('bad_request', 'The Content-Length header does not match the body.')
  }
  if (err instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new GatewayError('invalid_json', `The request body is not valid JSON: ${err.message}`)
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new GatewayError('bad_request', `Bad request (${code ?? status}).`)
  }
  return new GatewayError(
    'internal',
    'The gateway failed while handling this request; the request id identifies it in the logs.',
  )
}
