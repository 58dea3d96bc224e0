import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { redactSecrets } from './redact-secrets.js'
import { upstreamErrorFromResponse } from './upstream-error.js'

describe('redactSecrets', () => {
  it.each([
    [
      'Incorrect API key provided: sk-proj-abc1***************************xyz1. You can find your API key at https://platform.openai.com/account/api-keys.',
      'Incorrect API key provided: sk-[redacted]. You can find your API key at https://platform.openai.com/account/api-keys.',
    ],
    ['invalid key sk-ant-api03-AbCdEf0123456789-xyz', 'invalid key sk-[redacted]'],
    ['got header Authorization: Bearer eyJhbGciOi.abc', 'got header Authorization: Bearer [redacted]'],
    ['API key not valid: AIzaSyA1234567890abcdefghijklmnopqrstu', 'API key not valid: [redacted]'],
    ['The security token AKIAIOSFODNN7EXAMPLE is invalid', 'The security token [redacted] is invalid'],
    ['bad request: api_key=abcd1234efgh', 'bad request: api_key=[redacted]'],
    ['{"password": "hunter22"}', '{"password": "[redacted]"}'],
  ])('redacts %s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected)
  })

  it('leaves ordinary provider messages alone', () => {
    for (const text of [
      'invalid x-api-key',
      'prompt is too long: 208310 tokens > 200000 maximum',
      'This model does not support the parameter seed.',
      'Rate limit reached for gpt-4o in organization org-abc on tokens per min (TPM).',
    ])
      expect(redactSecrets(text)).toBe(text)
  })

  it('never lets a generated sk- key through', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^sk-[A-Za-z0-9_-]{20,60}$/), fc.string(), (key, prefix) => {
        expect(redactSecrets(`${prefix} ${key} end`)).not.toContain(key)
      }),
    )
  })

  it('applies to every provider error message', () => {
    const body = JSON.stringify({
      error: { message: 'Incorrect API key provided: sk-live-0123456789abcdef' },
    })
    const error = upstreamErrorFromResponse(401, {}, body)
    expect(error.message).toBe('Incorrect API key provided: sk-[redacted]')
    expect(upstreamErrorFromResponse(502, {}, 'proxy says: Bearer abc.def.ghi').message).toBe(
      'proxy says: Bearer [redacted]',
    )
  })
})
