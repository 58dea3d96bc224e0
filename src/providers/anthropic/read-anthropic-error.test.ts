import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { upstreamErrorFromResponse } from '../shared/upstream-error.js'
import { rateLimitResetS } from './rate-limit-reset.js'
import { readAnthropicError } from './read-anthropic-error.js'

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/anthropic/${name}`, import.meta.url), 'utf8')
const body = (type: string, message = 'm') => ({ type: 'error', error: { type, message } })

describe('readAnthropicError', () => {
  it.each([
    ['invalid_request_error', 'bad_request'],
    ['authentication_error', 'auth'],
    ['permission_error', 'auth'],
    ['billing_error', 'auth'],
    ['not_found_error', 'not_found'],
    ['request_too_large', 'bad_request'],
    ['rate_limit_error', 'rate_limited'],
    ['api_error', 'server'],
    ['overloaded_error', 'overloaded'],
    ['timeout_error', 'timeout'],
  ])('classifies %s as %s', (type, failure) => {
    expect(readAnthropicError(body(type))).toEqual({ message: 'm', failure })
  })

  it('reads a prompt that is too long as context_length, keeping the message', () => {
    const error = upstreamErrorFromResponse(
      400,
      {},
      fixture('error-prompt-too-long.json'),
      readAnthropicError,
    )
    expect(error.failure).toBe('context_length')
    expect(error.message).toBe('prompt is too long: 208310 tokens > 200000 maximum')
  })

  it('reads 529 overloaded as retryable, and a 429 with its retry-after', () => {
    const overloaded = upstreamErrorFromResponse(
      529,
      {},
      fixture('error-overloaded.json'),
      readAnthropicError,
    )
    expect(overloaded).toMatchObject({ failure: 'overloaded', status: 529, retryable: true })
    const limited = upstreamErrorFromResponse(
      429,
      { 'retry-after': '7' },
      fixture('error-rate-limit.json'),
      readAnthropicError,
    )
    expect(limited).toMatchObject({ failure: 'rate_limited', retryAfterS: 7 })
    expect(limited.message).toContain('50 requests per minute')
  })

  it('leaves other shapes to the status', () => {
    expect(readAnthropicError({ message: 'x' })).toEqual({})
    expect(upstreamErrorFromResponse(503, {}, '<html>busy</html>', readAnthropicError).failure).toBe('server')
  })
})

describe('rateLimitResetS', () => {
  it('waits for the latest reset among exhausted limits only', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    const headers = {
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:20Z',
      'anthropic-ratelimit-input-tokens-remaining': '0',
      'anthropic-ratelimit-input-tokens-reset': '2026-01-01T00:00:42Z',
      'anthropic-ratelimit-output-tokens-remaining': '900',
      'anthropic-ratelimit-output-tokens-reset': '2026-01-01T00:01:00Z',
    }
    expect(rateLimitResetS(headers, now)).toBe(42)
    expect(rateLimitResetS({}, now)).toBeUndefined()
  })
})
