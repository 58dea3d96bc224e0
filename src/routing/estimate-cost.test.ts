import { describe, expect, it } from 'vitest'
import type { ChatBody } from '../providers/types.js'
import { estimateCostUsd, expectedOutputTokens } from './estimate-cost.js'

const body = (fields: Record<string, unknown> = {}): ChatBody => ({
  model: 'm',
  messages: [{ role: 'user', content: 'hi' }],
  ...fields,
})

describe('estimateCostUsd', () => {
  it('prices input and output per million tokens', () => {
    // gpt-4o list price: $2.50 in, $10 out per million tokens.
    expect(estimateCostUsd({ input: 2.5, output: 10 }, 1_000, 500)).toBeCloseTo(0.0075, 12)
    expect(estimateCostUsd({ input: 2.5, output: 10 }, 1_000_000, 1_000_000)).toBeCloseTo(12.5, 12)
    expect(estimateCostUsd({ input: 0.15, output: 0.6 }, 124, 256)).toBeCloseTo(0.0001722, 12)
  })

  it('is undefined without a price, and 0 for a free model', () => {
    expect(estimateCostUsd(undefined, 1_000, 1_000)).toBeUndefined()
    expect(estimateCostUsd({ input: 0, output: 0 }, 1_000, 1_000)).toBe(0)
  })

  it('costs nothing for no tokens', () => {
    expect(estimateCostUsd({ input: 3, output: 15 }, 0, 0)).toBe(0)
  })

  it('rounds like metering does, to the nano-dollar', () => {
    expect(estimateCostUsd({ input: 0.1, output: 0.2 }, 1_000_000, 1_000_000)).toBe(0.3)
  })

  it('accepts a config price with a cached-input rate', () => {
    const price = { input: 1, output: 4, cached_input: 0.25 }
    expect(estimateCostUsd(price, 2_000_000, 0)).toBe(2)
  })
})

describe('expectedOutputTokens', () => {
  it('uses max_completion_tokens first, then max_tokens, then the typical length', () => {
    expect(expectedOutputTokens(body({ max_completion_tokens: 100, max_tokens: 50 }), 256)).toBe(100)
    expect(expectedOutputTokens(body({ max_tokens: 50 }), 256)).toBe(50)
    expect(expectedOutputTokens(body(), 256)).toBe(256)
  })

  it('skips a null cap, as OpenAI allows', () => {
    expect(expectedOutputTokens(body({ max_completion_tokens: null, max_tokens: 40 }), 256)).toBe(40)
    expect(expectedOutputTokens(body({ max_completion_tokens: null }), 256)).toBe(256)
  })

  it('multiplies by n when more than one choice is asked for', () => {
    expect(expectedOutputTokens(body({ max_tokens: 50, n: 3 }), 256)).toBe(150)
    expect(expectedOutputTokens(body({ n: 2 }), 256)).toBe(512)
    expect(expectedOutputTokens(body({ max_tokens: 50, n: 1 }), 256)).toBe(50)
  })

  it('ignores values that are not token counts', () => {
    expect(expectedOutputTokens(body({ max_tokens: '50', n: '4' }), 256)).toBe(256)
    expect(expectedOutputTokens(body({ max_tokens: -5, n: 2.5 }), 256)).toBe(256)
    expect(expectedOutputTokens(body({ max_completion_tokens: 0 }), 256)).toBe(0)
  })
})
