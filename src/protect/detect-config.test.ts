import { describe, expect, it } from 'vitest'
import { createDetector } from './create-detector.js'
import { parseDetectConfig } from './detect-config.js'

const errorsOf = (input: unknown): string[] => {
  const r = parseDetectConfig(input)
  return r.ok ? [] : r.errors
}

describe('detect config', () => {
  it('defaults to every built-in type, no custom recogniser, inline below 64 Ki characters', () => {
    const r = parseDetectConfig(undefined)
    expect(r.ok && r.config.entities).toContain('iban')
    expect(r.ok && r.config.async_threshold_chars).toBe(65_536)
  })

  it('names the key of each mistake', () => {
    expect(errorsOf({ entitys: ['email'] })).toEqual(['protect.detect: unknown key(s) entitys'])
    expect(errorsOf({ entities: ['passport'] })[0]).toMatch(/^protect\.detect\.entities\[0\]: /)
    expect(errorsOf({ custom: [{ name: 'x_id', pattern: '(a)\\1' }] })[0]).toMatch(
      /^protect\.detect\.custom\[0\]\.pattern: not a valid RE2 pattern .*no backreferences/,
    )
    expect(errorsOf({ custom: [{ name: 'x_id', pattern: 'x', validator: 'crc32' }] })[0]).toMatch(
      /^protect\.detect\.custom\[0\]\.validator: expected one of luhn, iban, nir, dniNie, codiceFiscale, ssn/,
    )
    expect(errorsOf({ custom: [{ name: 'email', pattern: 'x' }] })[0]).toMatch(
      /^protect\.detect\.custom\[0\]\.name: must not reuse a built-in type/,
    )
    expect(errorsOf({ custom: [{ name: 'Bad Name', pattern: 'x' }] })[0]).toMatch(
      /custom\[0\]\.name: expected a lower-case name/,
    )
    expect(errorsOf({ custom: [{ name: 'a', pattern: 'x', colour: 'red' }] })).toEqual([
      'protect.detect.custom[0]: unknown key(s) colour',
    ])
  })

  it('createDetector refuses an invalid config with the same messages', () => {
    expect(() => createDetector({ workers: 0 } as never)).toThrow(/protect\.detect\.workers: /)
  })
})
