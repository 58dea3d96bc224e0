import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checksums } from './checksums.js'

describe('checksums', () => {
  it('luhn accepts published test cards and rejects a changed digit', () => {
    for (const n of [
      '4242424242424242',
      '5555555555554444',
      '378282246310005',
      '6011111111111117',
      '36227206271667',
    ])
      expect(checksums.luhn(n)).toBe(true)
    expect(checksums.luhn('4242424242424241')).toBe(false)
    expect(checksums.luhn('')).toBe(false)
    expect(checksums.luhn('4242a24242424242')).toBe(false)
  })

  it('iban accepts the registry examples, grouped or not, and checks the country length', () => {
    for (const n of [
      'GB82 WEST 1234 5698 7654 32',
      'DE89370400440532013000',
      'FR1420041010050500013M02606',
      'NL91ABNA0417164300',
      'BE68539007547034',
      'CH9300762011623852957',
    ])
      expect(checksums.iban(n)).toBe(true)
    expect(checksums.iban('GB82 WEST 1234 5698 7654 33')).toBe(false)
    expect(checksums.iban('DE8937040044053201300')).toBe(false) // one character short for DE
    expect(checksums.iban('XX89370400440532013000')).toBe(false) // no such country
  })

  it('nir checks the key, month and the Corsican departments', () => {
    expect(checksums.nir('2 55 08 14 168 025 38')).toBe(true) // INSEE's published example
    expect(checksums.nir('255081416802539')).toBe(false)
    expect(checksums.nir('1 85 12 2A 123 456 48')).toBe(true) // 2A counts as 19
    expect(checksums.nir('1 85 12 2B 123 456 48')).toBe(false)
    expect(checksums.nir('2 55 13 14 168 025 38')).toBe(false) // month 13
  })

  it('dniNie checks the letter of a DNI and of an NIE', () => {
    expect(checksums.dniNie('12345678Z')).toBe(true)
    expect(checksums.dniNie('12345678A')).toBe(false)
    expect(checksums.dniNie('X1234567L')).toBe(true)
    expect(checksums.dniNie('X1234567Z')).toBe(false)
    expect(checksums.dniNie('X12345678Z')).toBe(false)
  })

  it('codiceFiscale checks the control character', () => {
    expect(checksums.codiceFiscale('RSSMRA85T10A562S')).toBe(true)
    expect(checksums.codiceFiscale('RSSMRA85T10A562T')).toBe(false)
    expect(checksums.codiceFiscale('RSSMRA85Z10A562S')).toBe(false) // Z is no month letter
  })

  it('ssn excludes areas, groups and serials never issued', () => {
    expect(checksums.ssn('123-45-6789')).toBe(true)
    for (const n of [
      '000-12-3456',
      '666-12-3456',
      '912-12-3456',
      '123-00-4567',
      '123-45-0000',
      '078-05-1120',
    ])
      expect(checksums.ssn(n)).toBe(false)
  })

  it('luhn: any single-digit change of a valid number fails', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 18 }),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (body, at, delta) => {
          const digits = body.join('')
          const check = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].find((d) => checksums.luhn(digits + d))
          expect(check).toBeDefined()
          const valid = digits + check
          const i = at % valid.length
          const changed = valid.slice(0, i) + ((Number(valid[i]) + delta) % 10) + valid.slice(i + 1)
          expect(checksums.luhn(changed)).toBe(false)
        },
      ),
    )
  })
})
