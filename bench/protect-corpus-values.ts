/**
 * Seeded value generators for the protect corpus. Check digits are computed here independently of
 * src/protect (BigInt arithmetic, straight from each standard), so the corpus does not merely
 * mirror the detector's own validators.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max'

export type Rng = () => number

/** mulberry32: a tiny deterministic PRNG, good enough to vary test data. */
export const createRng = (seed: number): Rng => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1))
export const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T
const digits = (rng: Rng, n: number): string => Array.from({ length: n }, () => int(rng, 0, 9)).join('')
const chars = (rng: Rng, alphabet: string, n: number): string =>
  Array.from({ length: n }, () => alphabet[int(rng, 0, alphabet.length - 1)]).join('')
export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const pad = (n: number, w: number): string => String(n).padStart(w, '0')

const luhnCheckDigit = (body: string): string => {
  let sum = 0
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i])
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2
    sum += d
  }
  return String((10 - (sum % 10)) % 10)
}

const CARD_PREFIXES: Array<[string, number]> = [
  ['4', 16],
  ['4', 13],
  ['51', 16],
  ['55', 16],
  ['2221', 16],
  ['2720', 16],
  ['34', 15],
  ['37', 15],
  ['6011', 16],
  ['65', 16],
  ['3528', 16],
  ['3589', 16],
  ['36', 14],
  ['62', 16],
]

/** A Luhn-valid number in a known IIN range, formatted as people write it. */
export const card = (rng: Rng): string => {
  const [prefix, len] = pick(rng, CARD_PREFIXES)
  const body = prefix + digits(rng, len - prefix.length - 1)
  return formatCard(rng, body + luhnCheckDigit(body))
}

export const formatCard = (rng: Rng, n: string): string => {
  const style = int(rng, 0, 2)
  if (style === 0 || n.length !== 16) {
    if (n.length === 15 && style !== 0) return `${n.slice(0, 4)} ${n.slice(4, 10)} ${n.slice(10)}`
    return n
  }
  const sep = style === 1 ? ' ' : '-'
  return n.match(/.{4}/g)?.join(sep) ?? n
}

/** Change one digit: breaks Luhn (any single-digit change does). */
export const corruptDigit = (rng: Rng, value: string): string => {
  const positions = [...value].map((c, i) => (/\d/.test(c) ? i : -1)).filter((i) => i >= 0)
  const i = pick(rng, positions)
  const d = Number(value[i])
  return value.slice(0, i) + String((d + int(rng, 1, 9)) % 10) + value.slice(i + 1)
}

// IBAN lengths from the SWIFT IBAN registry, kept apart from src/protect/iban-lengths.ts on purpose:
// a wrong length there must show up as missed IBANs here, not be generated alike.
export const IBAN_COUNTRIES: Record<string, number> = {
  AD: 24,
  AT: 20,
  BE: 16,
  BG: 22,
  CH: 21,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  GI: 23,
  GR: 27,
  HR: 21,
  HU: 28,
  IE: 22,
  IS: 26,
  IT: 27,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MT: 31,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  RO: 24,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  VA: 22,
}

const ibanCheck = (country: string, bban: string): string => {
  const numeric = (bban + country + '00').replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55))
  return pad(Number(98n - (BigInt(numeric) % 97n)), 2)
}

/** A valid IBAN of `country` (bank codes of letters where the country uses them), compact or grouped. */
export const iban = (rng: Rng, country: string): string => {
  const len = IBAN_COUNTRIES[country] ?? 22
  const letters = ['GB', 'NL', 'IE', 'MT', 'BG', 'RO', 'LV', 'GI', 'CY'].includes(country) ? 4 : 0
  const bban = chars(rng, UPPER, letters) + digits(rng, len - 4 - letters)
  const value = country + ibanCheck(country, bban) + bban
  return rng() < 0.5 ? value : (value.match(/.{1,4}/g)?.join(' ') ?? value)
}

/** French NIR with its key; departments 2A/2B (Corsica) count as 19/18 for the key. */
export const nir = (rng: Rng, corsica = false): string => {
  const dept = corsica ? pick(rng, ['2A', '2B']) : pad(pick(rng, [int(rng, 1, 19), int(rng, 21, 95)]), 2)
  const body = `${int(rng, 1, 2)}${pad(int(rng, 40, 99), 2)}${pad(int(rng, 1, 12), 2)}${dept}${pad(int(rng, 1, 990), 3)}${pad(int(rng, 1, 999), 3)}`
  const numeric = body.replace('2A', '19').replace('2B', '18')
  const key = pad(Number(97n - (BigInt(numeric) % 97n)), 2)
  if (rng() < 0.5) return body + key
  return `${body[0]} ${body.slice(1, 3)} ${body.slice(3, 5)} ${body.slice(5, 7)} ${body.slice(7, 10)} ${body.slice(10)} ${key}`
}

export const ssn = (rng: Rng): string => {
  const area = pick(rng, [int(rng, 1, 665), int(rng, 667, 899)])
  return `${pad(area, 3)}-${pad(int(rng, 1, 99), 2)}-${pad(int(rng, 1, 9999), 4)}`
}

const DNI = 'TRWAGMYFPDXBNJZSQVHLCKE'
export const dni = (rng: Rng, nie = false): string => {
  if (nie) {
    const p = int(rng, 0, 2)
    const d = digits(rng, 7)
    return `${'XYZ'[p]}${d}${DNI[Number(`${p}${d}`) % 23]}`
  }
  const n = int(rng, 10_000_000, 99_999_999)
  return `${n}${DNI[n % 23]}`
}

const CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
export const codiceFiscale = (rng: Rng): string => {
  const body = `${chars(rng, UPPER, 6)}${pad(int(rng, 40, 99), 2)}${pick(rng, [...'ABCDEHLMPRST'])}${pad(pick(rng, [int(rng, 1, 31), int(rng, 41, 71)]), 2)}${pick(rng, [...'ABCDEFGHILMZ'])}${pad(int(rng, 1, 999), 3)}`
  let sum = 0
  for (let i = 0; i < 15; i++) {
    const c = body.charCodeAt(i)
    const v = c >= 65 ? c - 65 : c - 48
    sum += i % 2 === 0 ? (CF_ODD[v] ?? 0) : v
  }
  return body + String.fromCharCode(65 + (sum % 26))
}

export const ipv4 = (rng: Rng): string =>
  rng() < 0.3
    ? `${pick(rng, ['192.0.2', '198.51.100', '203.0.113'])}.${int(rng, 1, 254)}`
    : `${pick(rng, [10, 172, 192, int(rng, 11, 223)])}.${int(rng, 0, 255)}.${int(rng, 0, 255)}.${int(rng, 1, 254)}`

export const ipv6 = (rng: Rng): string => {
  const groups = Array.from({ length: 8 }, () => int(rng, 0, 0xffff).toString(16))
  const style = int(rng, 0, 2)
  if (style === 0) return groups.join(':')
  if (style === 1) return `2001:db8::${groups.slice(6).join(':')}`
  return `fe80::${groups.slice(4).join(':')}`
}

type PhoneShape = {
  country: 'FR' | 'DE' | 'ES' | 'IT' | 'NL' | 'BE' | 'GB' | 'US'
  make: (rng: Rng) => string
}
const PHONE_SHAPES: PhoneShape[] = [
  {
    country: 'FR',
    make: (r) => `0${int(r, 1, 7)} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)}`,
  },
  {
    country: 'FR',
    make: (r) => `0${pick(r, [6, 7])}.${digits(r, 2)}.${digits(r, 2)}.${digits(r, 2)}.${digits(r, 2)}`,
  },
  {
    country: 'FR',
    make: (r) => `+33 ${pick(r, [1, 6, 7])} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)}`,
  },
  { country: 'DE', make: (r) => `030 ${digits(r, 8)}` },
  { country: 'DE', make: (r) => `+49 ${pick(r, ['151', '160', '170', '176'])} ${digits(r, 8)}` },
  { country: 'DE', make: (r) => `0${pick(r, ['89', '40', '69', '221'])} ${digits(r, 3)} ${digits(r, 4)}` },
  { country: 'ES', make: (r) => `${pick(r, [6, 7])}${digits(r, 2)} ${digits(r, 3)} ${digits(r, 3)}` },
  {
    country: 'ES',
    make: (r) => `+34 ${pick(r, ['91', '93', '96'])} ${digits(r, 3)} ${digits(r, 2)} ${digits(r, 2)}`,
  },
  { country: 'IT', make: (r) => `+39 3${digits(r, 2)} ${digits(r, 3)} ${digits(r, 4)}` },
  { country: 'IT', make: (r) => `06 ${digits(r, 4)} ${digits(r, 4)}` },
  { country: 'NL', make: (r) => `06 ${int(r, 1, 5)}${digits(r, 7)}` },
  { country: 'NL', make: (r) => `+31 20 ${digits(r, 3)} ${digits(r, 4)}` },
  {
    country: 'BE',
    make: (r) => `04${pick(r, [70, 75, 85, 95])} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)}`,
  },
  { country: 'BE', make: (r) => `+32 2 ${digits(r, 3)} ${digits(r, 2)} ${digits(r, 2)}` },
  { country: 'GB', make: (r) => `07700 900${digits(r, 3)}` },
  { country: 'GB', make: (r) => `+44 20 7946 0${digits(r, 3)}` },
  { country: 'GB', make: (r) => `020 7946 0${digits(r, 3)}` },
  {
    country: 'US',
    make: (r) => `(${int(r, 2, 9)}${digits(r, 2)}) ${int(r, 2, 9)}${digits(r, 2)}-${digits(r, 4)}`,
  },
  {
    country: 'US',
    make: (r) => `+1 ${int(r, 2, 9)}${digits(r, 2)}-${int(r, 2, 9)}${digits(r, 2)}-${digits(r, 4)}`,
  },
  {
    country: 'US',
    make: (r) => `+1${int(r, 2, 9)}${digits(r, 2)}${int(r, 2, 9)}${digits(r, 2)}${digits(r, 4)}`,
  },
]

/**
 * A phone number that libphonenumber (the ITU-T E.164 numbering plans it carries) considers valid,
 * in a shape people write. Redrawn until valid: invalid area codes would be wrong labels.
 */
export const phone = (rng: Rng): { value: string; country: string } => {
  for (;;) {
    const shape = pick(rng, PHONE_SHAPES)
    const value = shape.make(rng)
    if (parsePhoneNumberFromString(value, shape.country)?.isValid()) return { value, country: shape.country }
  }
}

export const token = (rng: Rng, alphabet: string, n: number): string => chars(rng, alphabet, n)
export const hex = (rng: Rng, n: number): string => chars(rng, '0123456789abcdef', n)
