import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createDetector } from './create-detector.js'
import type { Finding } from './entity-types.js'
import { createPlaceholderVault } from './placeholder-vault.js'
import { type Action, transformText } from './pseudonymize-text.js'
import { restoreText } from './restore-text.js'

const KEY_A = Buffer.from('tenant-a-secret-key-0123456789ab')
const KEY_B = Buffer.from('tenant-b-secret-key-0123456789ab')
const TEXT = 'Mail ada@example.org or bob@example.org, again ada@example.org.'
const FINDINGS: Finding[] = [
  { type: 'email', start: 5, end: 20 },
  { type: 'email', start: 24, end: 39 },
  { type: 'email', start: 47, end: 62 },
]
const all =
  (action: Action) =>
  (_f: Finding): Action =>
    action

describe('transformText', () => {
  it('masks with the upper-cased type', () => {
    const result = transformText(TEXT, FINDINGS, all('mask'))
    expect(result.text).toBe('Mail [EMAIL] or [EMAIL], again [EMAIL].')
    expect(result.counts).toEqual({ email: 3 })
  })

  it('hashes with the first 12 hex of HMAC-SHA256(key, type:value)', () => {
    const { text } = transformText(TEXT, FINDINGS, all('hash'), { hashKey: KEY_A })
    const expected = createHmac('sha256', KEY_A).update('email:ada@example.org').digest('hex').slice(0, 12)
    expect(text.startsWith(`Mail [EMAIL:${expected}] or [EMAIL:`)).toBe(true)
    expect(text).toMatch(
      /^Mail \[EMAIL:[0-9a-f]{12}\] or \[EMAIL:[0-9a-f]{12}\], again \[EMAIL:[0-9a-f]{12}\]\.$/,
    )
  })

  it('hashes a value alike under one key and differently under another', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (value) => {
        const hashed = (key: Buffer) =>
          transformText(value, [{ type: 'person', start: 0, end: value.length }], all('hash'), {
            hashKey: key,
          }).text
        expect(hashed(KEY_A)).toBe(hashed(KEY_A))
        expect(hashed(KEY_A)).not.toBe(hashed(KEY_B))
        expect(hashed(KEY_A)).toMatch(/^\[PERSON:[0-9a-f]{12}\]$/)
      }),
    )
  })

  it('pseudonymizes through the vault: one placeholder per value', () => {
    const vault = createPlaceholderVault()
    const result = transformText(TEXT, FINDINGS, all('pseudonymize'), { vault })
    expect(result.text).toBe('Mail [EMAIL_1] or [EMAIL_2], again [EMAIL_1].')
    expect(result.counts).toEqual({ email: 3 })
    expect(vault.size).toBe(2)
  })

  it('applies the action chosen per finding and counts only transformed ones, never values', () => {
    const text = 'Ada Lovelace, ada@example.org, +33 6 12 34 56 78'
    const findings: Finding[] = [
      { type: 'person', start: 0, end: 12 },
      { type: 'email', start: 14, end: 29 },
      { type: 'phone', start: 31, end: 48 },
    ]
    const choose = (f: Finding): Action =>
      f.type === 'person' ? 'pseudonymize' : f.type === 'email' ? 'mask' : 'allow'
    const result = transformText(text, findings, choose, { vault: createPlaceholderVault(), hashKey: KEY_A })
    expect(result.text).toBe('[PERSON_1], [EMAIL], +33 6 12 34 56 78')
    expect(result.counts).toEqual({ person: 1, email: 1 })
    expect(JSON.stringify(result.counts)).not.toContain('Ada')
  })

  it('counts a custom type named __proto__ as an own key', () => {
    const result = transformText('x', [{ type: '__proto__', start: 0, end: 1 }], all('mask'))
    expect(Object.keys(result.counts)).toEqual(['__proto__'])
  })

  it('says which dependency an action lacks', () => {
    expect(() => transformText(TEXT, FINDINGS, all('hash'))).toThrow(/deps.hashKey/)
    expect(() => transformText(TEXT, FINDINGS, all('pseudonymize'))).toThrow(/deps.vault/)
  })

  it('rejects unsorted, overlapping or out-of-range findings, allowed ones included', () => {
    const reversed = [FINDINGS[1]!, FINDINGS[0]!]
    expect(() => transformText(TEXT, reversed, all('mask'))).toThrow(RangeError)
    const overlapping = [
      { type: 'x', start: 0, end: 5 },
      { type: 'y', start: 3, end: 6 },
    ]
    expect(() => transformText(TEXT, overlapping, all('allow'))).toThrow(RangeError)
    expect(() => transformText('abc', [{ type: 'x', start: 1, end: 9 }], all('mask'))).toThrow(RangeError)
  })

  it('works on what the detector finds', () => {
    const text = 'Write to jane.doe@example.com, not jane.doe@example.com or card 4111 1111 1111 1111.'
    const vault = createPlaceholderVault()
    vault.reserve(text)
    const result = transformText(text, createDetector().scan(text), all('pseudonymize'), { vault })
    expect(result.text).toBe('Write to [EMAIL_1], not [EMAIL_1] or card [CARD_1].')
    expect(restoreText(result.text, vault)).toBe(text)
  })
})

// Texts full of what restoration looks for: brackets, spaces, underscores, cores in any case.
const fragment = fc.oneof(
  fc.constantFrom('[', ']', ' ', '_', '.', '*', 'EMAIL_1', 'email_2', 'Person_1', '[PHONE_1]', 'x', '9', 'é'),
  fc.string({ maxLength: 5 }),
)
const TYPES = ['email', 'phone', 'person', 'ssn-us', 'x_1']

// Random sorted, non-overlapping findings: cut points paired up, each pair a finding.
const textWithFindings = fc
  .tuple(fc.array(fragment, { maxLength: 25 }), fc.array(fc.nat(), { maxLength: 12 }), fc.array(fc.nat()))
  .map(([parts, cuts, typeIndexes]) => {
    const text = parts.join('')
    const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)
    const findings: Finding[] = []
    for (let i = 0; i + 1 < points.length; i += 2) {
      const type = TYPES[(typeIndexes[i] ?? i) % TYPES.length]!
      findings.push({ type, start: points[i]!, end: points[i + 1]! })
    }
    return { text, findings }
  })

describe('pseudonymize then restore', () => {
  it('gives back the original text exactly', () => {
    fc.assert(
      fc.property(textWithFindings, ({ text, findings }) => {
        const vault = createPlaceholderVault()
        vault.reserve(text)
        const pseudonymized = transformText(text, findings, all('pseudonymize'), { vault })
        expect(restoreText(pseudonymized.text, vault)).toBe(text)
      }),
      { numRuns: 500 },
    )
  })

  it('restores pseudonymized findings only, leaving masks and hashes as they were', () => {
    const ACTIONS: Action[] = ['allow', 'mask', 'hash', 'pseudonymize']
    fc.assert(
      fc.property(textWithFindings, fc.array(fc.nat(3)), ({ text, findings }, picks) => {
        const choices = new Map(findings.map((f, i) => [f, ACTIONS[picks[i] ?? 3]!]))
        const vault = createPlaceholderVault()
        vault.reserve(text)
        const deps = { vault, hashKey: KEY_A }
        const out = transformText(text, findings, (f) => choices.get(f)!, deps).text
        const pseudonymizedKept = (f: Finding): Action =>
          choices.get(f) === 'pseudonymize' ? 'allow' : choices.get(f)!
        expect(restoreText(out, vault)).toBe(transformText(text, findings, pseudonymizedKept, deps).text)
      }),
      { numRuns: 300 },
    )
  })

  it('leaves no original value in the pseudonymized text when values are distinctive', () => {
    fc.assert(
      fc.property(fc.array(fc.emailAddress(), { minLength: 1, maxLength: 5 }), (emails) => {
        const text = emails.join(' ; ')
        const findings: Finding[] = []
        let at = 0
        for (const email of emails) {
          findings.push({ type: 'email', start: at, end: at + email.length })
          at += email.length + 3
        }
        const vault = createPlaceholderVault()
        const out = transformText(text, findings, all('pseudonymize'), { vault }).text
        for (const email of emails) expect(out).not.toContain(email)
        expect(restoreText(out, vault)).toBe(text)
      }),
    )
  })
})
