import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { placeholderLabel } from './placeholder-label.js'
import { createPlaceholderVault } from './placeholder-vault.js'

describe('placeholderLabel', () => {
  it('upper-cases and turns anything but ASCII letters and digits into _', () => {
    expect(placeholderLabel('email')).toBe('EMAIL')
    expect(placeholderLabel('ssn-us')).toBe('SSN_US')
    expect(placeholderLabel('nir_fr')).toBe('NIR_FR')
    expect(placeholderLabel('clé client')).toBe('CL__CLIENT')
    expect(placeholderLabel('')).toBe('ENTITY')
  })

  it('never ends in _<digits>, so no mask reads as a placeholder core', () => {
    expect(placeholderLabel('x_1')).toBe('X1')
    expect(placeholderLabel('code-128')).toBe('CODE128')
    expect(placeholderLabel('a_1_b')).toBe('A_1_B')
    fc.assert(
      fc.property(fc.string(), (type) => {
        expect(placeholderLabel(type)).toMatch(/^[A-Z0-9_]+$/)
        expect(placeholderLabel(type)).not.toMatch(/_[0-9]+$/)
      }),
    )
  })
})

describe('createPlaceholderVault', () => {
  it('gives the same placeholder to the same value and numbers values per type', () => {
    const vault = createPlaceholderVault()
    expect(vault.placeholderFor('email', 'a@x.io')).toBe('[EMAIL_1]')
    expect(vault.placeholderFor('phone', '+33 6 12 34 56 78')).toBe('[PHONE_1]')
    expect(vault.placeholderFor('email', 'b@x.io')).toBe('[EMAIL_2]')
    expect(vault.placeholderFor('email', 'a@x.io')).toBe('[EMAIL_1]')
    expect(vault.placeholderFor('person', 'Ada Lovelace')).toBe('[PERSON_1]')
    expect(vault.placeholderFor('ssn_us', '078-05-1120')).toBe('[SSN_US_1]')
    expect(vault.size).toBe(5)
  })

  it('keeps the same value of two types apart', () => {
    const vault = createPlaceholderVault()
    expect(vault.placeholderFor('person', 'Paris')).toBe('[PERSON_1]')
    expect(vault.placeholderFor('address', 'Paris')).toBe('[ADDRESS_1]')
  })

  it('looks values up by core in any case, and only for issued cores', () => {
    const vault = createPlaceholderVault()
    vault.placeholderFor('email', 'a@x.io')
    expect(vault.valueFor('EMAIL_1')).toBe('a@x.io')
    expect(vault.valueFor('email_1')).toBe('a@x.io')
    expect(vault.valueFor('Email_1')).toBe('a@x.io')
    expect(vault.valueFor('EMAIL_2')).toBeUndefined()
    expect(vault.valueFor('[EMAIL_1]')).toBeUndefined()
  })

  it('reports the longest placeholder, brackets included', () => {
    const vault = createPlaceholderVault()
    expect(vault.longestPlaceholder).toBe(0)
    vault.placeholderFor('ip', '10.0.0.1')
    expect(vault.longestPlaceholder).toBe('[IP_1]'.length)
    vault.placeholderFor('person', 'Ada')
    vault.placeholderFor('ip', '10.0.0.2')
    expect(vault.longestPlaceholder).toBe('[PERSON_1]'.length)
  })

  it('skips numbers the request already uses, in any case, so restoring cannot touch them', () => {
    const vault = createPlaceholderVault()
    vault.reserve('Reply to EMAIL_1 and to [email_3].')
    vault.reserve('See Person_1 and PHONE 1.')
    expect(vault.placeholderFor('email', 'a@x.io')).toBe('[EMAIL_2]')
    expect(vault.placeholderFor('email', 'b@x.io')).toBe('[EMAIL_4]')
    expect(vault.placeholderFor('person', 'Ada')).toBe('[PERSON_2]')
    expect(vault.placeholderFor('phone', '0612345678')).toBe('[PHONE_1]')
  })

  it('skips cores found inside longer words too, which a finding could cut free', () => {
    const vault = createPlaceholderVault()
    // A finding on `x` in `EMAIL_1x` would leave `EMAIL_1[PERSON_1]`.
    vault.reserve('MY_PHONE_12 EMAIL_1x 9Person_1 _IP_3')
    expect(vault.placeholderFor('email', 'a@x.io')).toBe('[EMAIL_2]')
    expect(vault.placeholderFor('phone', '1')).toBe('[PHONE_2]')
    expect(vault.placeholderFor('phone', '2')).toBe('[PHONE_3]')
    expect(vault.placeholderFor('person', 'Ada')).toBe('[PERSON_2]')
    expect(vault.placeholderFor('ip', '10.0.0.1')).toBe('[IP_1]')
  })

  it('compares labels longer than the indexed tail conservatively', () => {
    const type = 'k'.repeat(100)
    const vault = createPlaceholderVault()
    vault.reserve(`${'K'.repeat(100)}_1 and ${'k'.repeat(70)}_2`)
    // Both occurrences end in the label's last 64 chars: skipping 2 is safe, if not needed.
    expect(vault.placeholderFor(type, 'a')).toBe(`[${'K'.repeat(100)}_3]`)
  })

  it('indexes a long word run in linear time', () => {
    const blob = 'a_1'.repeat(200_000)
    const vault = createPlaceholderVault()
    const started = performance.now()
    vault.reserve(blob)
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(vault.placeholderFor('a', 'x')).toBe('[A_2]')
  })

  it('refuses a reserve after placeholders were issued', () => {
    const vault = createPlaceholderVault()
    vault.placeholderFor('email', 'a@x.io')
    expect(() => vault.reserve('EMAIL_1')).toThrow(/before the first placeholderFor/)
  })

  it('never issues a core that a reserved text contains', () => {
    const fragment = fc.oneof(
      fc.constantFrom('EMAIL_1', 'email_2', 'Person_1', '[PHONE_3]', 'X_EMAIL_4', 'EMAIL_5y', ' ', '.', '_'),
      fc.string({ maxLength: 4 }),
    )
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 30 }), (parts) => {
        const text = parts.join('')
        const vault = createPlaceholderVault()
        vault.reserve(text)
        for (const type of ['email', 'person', 'phone', 'x_email']) {
          for (let i = 0; i < 6; i++) {
            const core = vault.placeholderFor(type, String(i)).slice(1, -1)
            expect(text.toUpperCase()).not.toContain(core)
          }
        }
      }),
    )
  })

  it('makes placeholders from the type and the order of issue only, never from the value', () => {
    const values = fc.uniqueArray(fc.oneof(fc.emailAddress(), fc.string({ minLength: 1 })), {
      minLength: 1,
      maxLength: 8,
    })
    fc.assert(
      fc.property(values, values, (a, b) => {
        const va = createPlaceholderVault()
        const vb = createPlaceholderVault()
        const n = Math.min(a.length, b.length)
        for (let i = 0; i < n; i++) {
          expect(va.placeholderFor('email', a[i]!)).toBe(vb.placeholderFor('email', b[i]!))
        }
      }),
    )
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const placeholder = createPlaceholderVault().placeholderFor('email', email)
        expect(placeholder).toBe('[EMAIL_1]')
        expect(placeholder).not.toContain(email)
      }),
    )
  })

  it('is bounded by maxEntries', () => {
    const vault = createPlaceholderVault({ maxEntries: 2 })
    vault.placeholderFor('email', 'a')
    vault.placeholderFor('email', 'b')
    expect(vault.placeholderFor('email', 'a')).toBe('[EMAIL_1]')
    expect(() => vault.placeholderFor('email', 'c')).toThrow(/maxEntries/)
  })

  it('builds a trie of upper-case cores', () => {
    const vault = createPlaceholderVault()
    vault.placeholderFor('ip', '10.0.0.1')
    let node = vault.cores
    for (const ch of 'IP_1') node = node.next.get(ch.charCodeAt(0))!
    expect(node.value).toBe('10.0.0.1')
    expect(vault.cores.next.has('i'.charCodeAt(0))).toBe(false)
  })
})
