import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createDetector } from './create-detector.js'
import { IBAN_LENGTHS } from './iban-lengths.js'

const detector = createDetector()
const SEPA = [
  'AT',
  'BE',
  'BG',
  'CH',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GB',
  'GR',
  'HR',
  'HU',
  'IE',
  'IS',
  'IT',
  'LI',
  'LT',
  'LU',
  'LV',
  'MC',
  'MT',
  'NL',
  'NO',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
  'SM',
  'VA',
  'AD',
  'GI',
]

// Check digits computed here with BigInt, straight from ISO 13616, not with the module under test.
const ibanOf = (country: string, bban: string): string => {
  const numeric = `${bban}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55))
  return `${country}${String(98n - (BigInt(numeric) % 97n)).padStart(2, '0')}${bban}`
}
const luhnComplete = (body: string): string => {
  let sum = 0
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i])
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2
    sum += d
  }
  return body + ((10 - (sum % 10)) % 10)
}
const changeDigit = (value: string, at: number, delta: number): string => {
  const positions = [...value].flatMap((c, i) => (/\d/.test(c) ? [i] : []))
  const i = positions[at % positions.length] ?? 0
  return value.slice(0, i) + ((Number(value[i]) + delta) % 10) + value.slice(i + 1)
}
const typesIn = (text: string) => detector.scan(text).map((f) => [f.type, text.slice(f.start, f.end)])

const ibanArb = fc.constantFrom(...SEPA).chain((country) =>
  fc
    .array(fc.integer({ min: 0, max: 9 }), {
      minLength: (IBAN_LENGTHS[country] ?? 22) - 4,
      maxLength: (IBAN_LENGTHS[country] ?? 22) - 4,
    })
    .map((ds) => ibanOf(country, ds.join(''))),
)
const cardArb = fc
  .tuple(
    fc.constantFrom('4', '51', '55', '2221', '6011', '3528'),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 15, maxLength: 15 }),
  )
  .map(([prefix, ds]) => luhnComplete((prefix + ds.join('')).slice(0, 15)))

describe('scan: properties', () => {
  it('finds any valid IBAN, compact or grouped by four', () => {
    fc.assert(
      fc.property(ibanArb, fc.boolean(), (iban, grouped) => {
        const value = grouped ? (iban.match(/.{1,4}/g) ?? []).join(' ') : iban
        expect(typesIn(`Pay to ${value} today.`)).toContainEqual(['iban', value])
      }),
    )
  })

  it('never reports an IBAN with one digit changed', () => {
    fc.assert(
      fc.property(ibanArb, fc.nat(), fc.integer({ min: 1, max: 9 }), (iban, at, delta) => {
        const bad = changeDigit(iban, at, delta)
        expect(typesIn(`Pay to ${bad} today.`).filter(([t]) => t === 'iban')).toEqual([])
      }),
    )
  })

  it('finds any Luhn-valid card in a known range, and never one with a digit changed', () => {
    fc.assert(
      fc.property(cardArb, fc.nat(), fc.integer({ min: 1, max: 9 }), (card, at, delta) => {
        expect(typesIn(`card ${card} ok`)).toContainEqual(['card', card])
        expect(typesIn(`card ${changeDigit(card, at, delta)} ok`).filter(([t]) => t === 'card')).toEqual([])
      }),
    )
  })
})
