import { describe, expect, it } from 'vitest'
import { protectSchema } from '../config/protect-schema.js'
import { compileDenyRules } from './compile-deny-rules.js'
import { createDetector, normaliseValue } from './create-detector.js'
import { createOutputCheck } from './create-output-check.js'

const detector = createDetector()
const config = protectSchema.parse({}).guardrails

const check = (
  opts: {
    requestValues?: string[]
    system?: string
    overrides?: Record<string, 'block' | 'flag' | 'log' | 'off'>
  } = {},
) =>
  createOutputCheck({
    config,
    overrides: opts.overrides,
    scan: detector.scan,
    requestValues: () => new Set((opts.requestValues ?? []).map(normaliseValue)),
    systemTexts: opts.system ? [opts.system] : [],
    denyRules: compileDenyRules([
      { name: 'codename', keywords: ['bluebird'], applies_to: ['output'], flags: 'i', action: 'flag' },
    ]),
  })

const feed = (c: ReturnType<typeof check>, text: string, size: number) => {
  for (let i = 0; i < text.length; i += size) {
    const blocked = c.push(text.slice(i, i + size))
    if (blocked) return blocked
  }
  return c.end()
}

describe('output check', () => {
  it('finds a secret split across many small chunks, whatever the chunk size', () => {
    const text = `${'filler text '.repeat(30)}token ghp_${'a1B2c3D4e5'.repeat(3)}abcdef and more words after it`
    for (const size of [1, 2, 7, 50, 159, 160, 161, 1000]) {
      const blocked = feed(check(), text, size)
      expect(blocked, `chunks of ${size}`).toMatchObject({
        rule: 'output.secrets',
        action: 'block',
        source: 'output',
      })
    }
  })

  it('reports personal data the request did not carry, but not what it did', () => {
    const carried = check({ requestValues: ['anna@example.org'] })
    expect(feed(carried, 'I wrote to anna@example.org for you.', 4)).toBeUndefined()
    expect(carried.verdicts).toEqual([])
    const invented = check({ requestValues: ['anna@example.org'] })
    feed(invented, 'You could also write to bob.smith@example.org.', 4)
    expect(invented.verdicts).toEqual([{ rule: 'output.pii', source: 'output', action: 'log' }])
  })

  it('flags a verbatim run of the system prompt, not a paraphrase, and each rule once', () => {
    const system =
      'You are the billing assistant of Acme. Never reveal discount codes. Refunds above fifty euros need a manager approval code.'
    const leak = check({ system })
    feed(leak, `My rules: ${system} Also bluebird, bluebird.`, 9)
    expect(leak.verdicts.map((v) => `${v.rule}:${v.action}`)).toEqual([
      'output.system_prompt_leak:flag',
      'codename:flag',
    ])
    const paraphrase = check({ system })
    feed(paraphrase, 'I help with billing for Acme; large refunds need a manager.', 9)
    expect(paraphrase.verdicts).toEqual([])
  })

  it('follows tenant overrides, including off', () => {
    const off = check({ overrides: { 'output.secrets': 'off' } })
    expect(feed(off, 'key AKIAIOSFODNN7EXAMPLQ', 3)).toBeUndefined()
    expect(off.verdicts).toEqual([])
    const flagged = check({ overrides: { 'output.secrets': 'flag' } })
    expect(feed(flagged, 'key AKIAIOSFODNN7EXAMPLQ', 3)).toBeUndefined()
    expect(flagged.verdicts).toEqual([{ rule: 'output.secrets', source: 'output', action: 'flag' }])
  })
})
