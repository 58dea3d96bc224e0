import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { GatewayError } from '../errors.js'
import { callerMetaFrom, parseChatBody, requestIdFrom, simulateFrom } from './ingress.js'

describe('ingress', () => {
  it('accepts a full OpenAI request and keeps unknown fields', () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'system', content: 's' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'x' },
            { type: 'image_url', image_url: { url: 'https://x/y.png' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'r' },
      ],
      future_param: 1,
    }
    expect(parseChatBody(body)).toBe(body)
  })

  it('never throws anything but a GatewayError with a param, whatever the JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          parseChatBody(value)
        } catch (err) {
          expect(err).toBeInstanceOf(GatewayError)
          expect((err as GatewayError).status).toBe(400)
        }
      }),
      { numRuns: 500 },
    )
  })

  it('keeps well-formed request ids only', () => {
    const gen = () => 'generated'
    expect(requestIdFrom('abc-123_x.y:z', gen)).toBe('abc-123_x.y:z')
    expect(requestIdFrom('has space', gen)).toBe('generated')
    expect(requestIdFrom('x'.repeat(129), gen)).toBe('generated')
    expect(requestIdFrom(undefined, gen)).toBe('generated')
  })

  it('reads caller metadata headers', () => {
    expect(
      callerMetaFrom({
        'x-gatehouse-user': 'u1',
        'x-gatehouse-use-case': 'support',
        'x-gatehouse-context-sources': 'doc-1, doc-2,,',
      }),
    ).toEqual({ user: 'u1', useCase: 'support', contextSources: ['doc-1', 'doc-2'], metadata: {} })
  })

  it('parses the simulate header', () => {
    expect(simulateFrom('fail_status=503, retry_after_s=2; stall=false')).toEqual({
      fail_status: 503,
      retry_after_s: 2,
      stall: false,
    })
    expect(simulateFrom(undefined)).toBeUndefined()
    expect(() => simulateFrom('latency_ms=soon')).toThrow(GatewayError)
    expect(() => simulateFrom('unknown_knob=1')).toThrow(GatewayError)
  })
})
