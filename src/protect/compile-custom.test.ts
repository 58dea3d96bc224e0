import { describe, expect, it } from 'vitest'
import { createDetector } from './create-detector.js'

const slices = (text: string, d: ReturnType<typeof createDetector>) =>
  d.scan(text).map((f) => [f.type, text.slice(f.start, f.end), f.score])

describe('custom recognisers (RE2)', () => {
  it('reports matches of a user pattern under its own type', () => {
    const d = createDetector({ custom: [{ name: 'employee_id', pattern: 'EMP-[0-9]{6}' }] })
    expect(slices('badge EMP-123456 lost', d)).toEqual([['employee_id', 'EMP-123456', 0.6]])
  })

  it('returns quickly on a catastrophic pattern over a long input', () => {
    const d = createDetector({ custom: [{ name: 'evil', pattern: '(a+)+$' }] })
    const text = `${'a'.repeat(100_000)}!`
    const t0 = performance.now()
    expect(d.scan(text)).toEqual([])
    // A backtracking engine needs 2^100000 steps here; RE2 is linear. 1 s is generous on a busy CI.
    expect(performance.now() - t0).toBeLessThan(1000)
  })

  it('keeps only matches that pass the named validator', () => {
    const d = createDetector({
      entities: [],
      custom: [{ name: 'member_card', pattern: 'M([0-9]{16})', validator: 'luhn' }],
    })
    expect(slices('M4242424242424242 M4242424242424241', d).map(([, v]) => v)).toEqual(['M4242424242424242'])
  })

  it('boosts the score near a context word, and drops matches without one when context is required', () => {
    const custom = [
      { name: 'policy_no', pattern: 'P[0-9]{8}', context: { words: ['policy', 'police'], window_chars: 20 } },
    ]
    const boosted = createDetector({ custom })
    expect(slices('Policy number P12345678', boosted)).toEqual([['policy_no', 'P12345678', 0.95]])
    expect(slices('Ref P12345678', boosted)).toEqual([['policy_no', 'P12345678', 0.6]])
    const required = createDetector({
      custom: [{ ...custom[0], context: { words: ['policy'], required: true } }],
    } as never)
    expect(slices('Ref P12345678', required)).toEqual([])
  })

  it('never reports allow-listed values and always reports deny-listed ones', () => {
    const d = createDetector({
      allow: ['+33 1 23 45 67 89', 'support@example.com'],
      deny: [{ value: 'Project Nightingale', type: 'codename' }],
    })
    const text = 'Call +33123456789 or support@example.com about project nightingale; or ceo@example.com'
    expect(slices(text, d).map(([t, v]) => [t, v])).toEqual([
      ['codename', 'project nightingale'],
      ['email', 'ceo@example.com'],
    ])
  })

  it('reports only the built-in types listed in entities', () => {
    const d = createDetector({ entities: ['email'] })
    expect(slices('a@example.com 4242 4242 4242 4242', d).map(([t]) => t)).toEqual(['email'])
  })
})
