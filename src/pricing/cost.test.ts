import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { costUsd, type Price, roundUsd } from './cost.js'

const gpt4o: Price = { input: 2.5, output: 10, cached_input: 1.25 }

describe('costUsd', () => {
  it('prices input and output per million tokens', () => {
    expect(costUsd(gpt4o, { prompt_tokens: 1_000, completion_tokens: 500 })).toBe(0.0075)
    expect(costUsd(gpt4o, { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 })).toBe(12.5)
    expect(costUsd({ input: 3, output: 15 }, { prompt_tokens: 0, completion_tokens: 0 })).toBe(0)
  })

  it('bills cached prompt tokens at the cached rate and the rest at the input rate', () => {
    const usage = {
      prompt_tokens: 10_000,
      completion_tokens: 0,
      prompt_tokens_details: { cached_tokens: 8_000 },
    }
    // 2,000 × $2.50 + 8,000 × $1.25 per million.
    expect(costUsd(gpt4o, usage)).toBe(0.015)
  })

  it('bills cached tokens at the input rate when the price has no cached rate', () => {
    const usage = {
      prompt_tokens: 10_000,
      completion_tokens: 0,
      prompt_tokens_details: { cached_tokens: 8_000 },
    }
    expect(costUsd({ input: 2.5, output: 10 }, usage)).toBe(0.025)
  })

  it('never counts more cached tokens than prompt tokens, nor negative ones', () => {
    const over = { prompt_tokens: 100, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 1_000 } }
    expect(costUsd(gpt4o, over)).toBe(0.000125)
    expect(costUsd(gpt4o, { prompt_tokens: -5, completion_tokens: Number.NaN })).toBe(0)
    expect(costUsd(gpt4o, { prompt_tokens: 1, completion_tokens: 0, prompt_tokens_details: null })).toBe(
      2.5e-6,
    )
  })

  it('switches the whole call to long-context rates above the threshold', () => {
    const pro: Price = {
      input: 1.25,
      output: 10,
      cached_input: 0.125,
      long_context: { above_input_tokens: 200_000, input: 2.5, output: 15, cached_input: 0.25 },
    }
    expect(costUsd(pro, { prompt_tokens: 200_000, completion_tokens: 1_000 })).toBe(0.26)
    expect(costUsd(pro, { prompt_tokens: 200_001, completion_tokens: 1_000 })).toBe(0.5150025)
  })

  it('leaves no float noise', () => {
    expect(0.1 + 0.2).not.toBe(0.3)
    expect(String(costUsd({ input: 0.1, output: 0.2 }, { prompt_tokens: 1e6, completion_tokens: 1e6 }))).toBe(
      '0.3',
    )
    expect(
      String(costUsd({ input: 0.15, output: 0.6 }, { prompt_tokens: 124, completion_tokens: 256 })),
    ).toBe('0.0001722')
    expect(roundUsd(1.23456789049)).toBe(1.23456789)
  })
})

describe('costUsd properties', () => {
  const rate = fc.double({ min: 0, max: 200, noNaN: true })
  const price = fc.record({ input: rate, output: rate, cached_input: fc.option(rate, { nil: undefined }) })
  const tokens = fc.integer({ min: 0, max: 5_000_000 })

  it('is never negative', () => {
    fc.assert(
      fc.property(price, tokens, tokens, tokens, (p, prompt, completion, cached) => {
        const usage = {
          prompt_tokens: prompt,
          completion_tokens: completion,
          prompt_tokens_details: { cached_tokens: cached },
        }
        expect(costUsd(p, usage)).toBeGreaterThanOrEqual(0)
      }),
    )
  })

  it('never falls when prompt or completion tokens grow', () => {
    fc.assert(
      fc.property(
        price,
        tokens,
        tokens,
        tokens,
        tokens,
        tokens,
        (p, prompt, completion, cached, more, more2) => {
          const base = costUsd(p, {
            prompt_tokens: prompt,
            completion_tokens: completion,
            prompt_tokens_details: { cached_tokens: cached },
          })
          const larger = costUsd(p, {
            prompt_tokens: prompt + more,
            completion_tokens: completion + more2,
            prompt_tokens_details: { cached_tokens: cached },
          })
          expect(larger).toBeGreaterThanOrEqual(base)
        },
      ),
    )
  })

  it('never falls across a long-context threshold', () => {
    const long = fc.record({ above_input_tokens: fc.integer({ min: 1, max: 1_000_000 }), bump: rate })
    fc.assert(
      fc.property(price, long, tokens, tokens, (p, { above_input_tokens, bump }, prompt, more) => {
        const tiered: Price = {
          ...p,
          long_context: { above_input_tokens, input: p.input + bump, output: p.output + bump },
        }
        const usage = (n: number) => ({ prompt_tokens: n, completion_tokens: 100 })
        expect(costUsd(tiered, usage(prompt + more))).toBeGreaterThanOrEqual(costUsd(tiered, usage(prompt)))
      }),
    )
  })
})
