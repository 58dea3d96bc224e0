import { describe, expect, it } from 'vitest'
import { bedrockErrorFromResponse } from './bedrock-error.js'

describe('bedrockErrorFromResponse', () => {
  it('reads the type from x-amzn-errortype, namespace suffix and all, and keeps the message', () => {
    const err = bedrockErrorFromResponse(
      429,
      { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/' },
      '{"message":"Too many requests, please wait before trying again."}',
    )
    expect(err).toMatchObject({ failure: 'rate_limited', status: 429 })
    expect(err.message).toBe('ThrottlingException: Too many requests, please wait before trying again.')
  })

  it("falls back to the body's __type (auth errors from AWS's front door) and Message", () => {
    const err = bedrockErrorFromResponse(
      403,
      {},
      '{"__type":"com.amazon.coral.service#UnrecognizedClientException","Message":"The security token included in the request is invalid."}',
    )
    expect(err).toMatchObject({ failure: 'auth', status: 403 })
    expect(err.message).toBe(
      'UnrecognizedClientException: The security token included in the request is invalid.',
    )
  })

  it('tells an over-long prompt from other validation errors', () => {
    const long = bedrockErrorFromResponse(
      400,
      { 'x-amzn-errortype': 'ValidationException' },
      '{"message":"Input is too long for requested model."}',
    )
    const other = bedrockErrorFromResponse(
      400,
      { 'x-amzn-errortype': 'ValidationException' },
      '{"message":"Malformed input request"}',
    )
    expect(long.failure).toBe('context_length')
    expect(other.failure).toBe('bad_request')
  })

  it('lets the status decide for a type it does not know, and for a body that is not JSON', () => {
    expect(
      bedrockErrorFromResponse(503, { 'x-amzn-errortype': 'SomethingNewException' }, '{"message":"x"}')
        .failure,
    ).toBe('server')
    const html = bedrockErrorFromResponse(502, {}, '<html>Bad Gateway</html>')
    expect(html).toMatchObject({ failure: 'server', status: 502 })
  })

  it('keeps Retry-After when a proxy in front of Bedrock sends one', () => {
    const err = bedrockErrorFromResponse(
      429,
      { 'x-amzn-errortype': 'ThrottlingException', 'retry-after': '3' },
      '{"message":"slow"}',
    )
    expect(err.retryAfterS).toBe(3)
  })
})
