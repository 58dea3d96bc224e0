import { describe, expect, it } from 'vitest'
import { ERROR_TABLE, errorBody, GatewayError } from './errors.js'

describe('error table', () => {
  it('maps kinds to the statuses of the design', () => {
    const status = (kind: keyof typeof ERROR_TABLE) => new GatewayError(kind, 'x').status
    expect(status('unauthenticated')).toBe(401)
    expect(status('forbidden')).toBe(403)
    expect(status('model_not_found')).toBe(404)
    expect(status('body_too_large')).toBe(413)
    expect(status('rate_limited')).toBe(429)
    expect(status('upstream_error')).toBe(502)
    expect(status('upstream_unavailable')).toBe(503)
    expect(status('upstream_timeout')).toBe(504)
  })

  it('never maps a caller mistake to a 5xx', () => {
    for (const kind of [
      'bad_request',
      'invalid_json',
      'unsupported_media_type',
      'upstream_bad_request',
      'not_found',
    ] as const) {
      expect(ERROR_TABLE[kind][0]).toBeLessThan(500)
    }
  })

  it('writes OpenAI’s error body', () => {
    expect(errorBody(new GatewayError('bad_request', 'bad n', { param: 'n' }))).toEqual({
      error: { message: 'bad n', type: 'invalid_request_error', code: 'invalid_request', param: 'n' },
    })
  })
})
