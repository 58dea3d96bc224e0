import { IBAN_LENGTHS } from './iban-lengths.js'

/** Luhn (ISO/IEC 7812-1 annex B) over a string of digits. */
const luhn = (digits: string): boolean => {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (d < 0 || d > 9) return false
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return digits.length > 0 && sum % 10 === 0
}

/** ISO 13616 IBAN: known country length, then mod 97 of the rearranged number equals 1. */
const iban = (value: string): boolean => {
  const compact = value.replace(/[\s-]/g, '').toUpperCase()
  if (IBAN_LENGTHS[compact.slice(0, 2)] !== compact.length) return false
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact)) return false
  const rearranged = compact.slice(4) + compact.slice(0, 4)
  let rest = 0
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0)
    // Letters count as two digits (A = 10 ... Z = 35), fed digit by digit to keep the number small.
    const n = code >= 65 ? code - 55 : code - 48
    rest = n >= 10 ? (rest * 100 + n) % 97 : (rest * 10 + n) % 97
  }
  return rest === 1
}

/**
 * French NIR (numéro de sécurité sociale): 13 characters then a key = 97 - (number mod 97).
 * Corsica departments 2A and 2B are replaced by 19 and 18 before the computation (INSEE rule).
 */
const nir = (value: string): boolean => {
  const compact = value.replace(/\s/g, '').toUpperCase()
  if (!/^[12378]\d{4}(?:\d{2}|2A|2B)\d{6}\d{2}$/.test(compact)) return false
  const body = compact.slice(0, 13).replace(/2A/, '19').replace(/2B/, '18')
  const key = Number(compact.slice(13))
  const month = Number(compact.slice(3, 5))
  if (!((month >= 1 && month <= 12) || (month >= 20 && month <= 42) || month >= 50)) return false
  return key >= 1 && key <= 97 && 97 - Number(BigInt(body) % 97n) === key
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE'

/** Spanish DNI (8 digits + letter) and NIE (X/Y/Z + 7 digits + letter): letter = number mod 23. */
const dniNie = (value: string): boolean => {
  const compact = value.replace(/[\s-]/g, '').toUpperCase()
  const m = /^([XYZ]?)(\d{7,8})([A-Z])$/.exec(compact)
  if (!m) return false
  const [, prefix = '', digits = '', letter] = m
  if (prefix && digits.length !== 7) return false
  if (!prefix && digits.length !== 8) return false
  const n = Number(`${prefix ? 'XYZ'.indexOf(prefix) : ''}${digits}`)
  return DNI_LETTERS[n % 23] === letter
}

// Codice fiscale check character tables (DM 23/12/1976): odd positions use a permuted table.
const CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]

/** Italian codice fiscale: 15 characters then a check letter; homocode letters allowed for digits. */
const codiceFiscale = (value: string): boolean => {
  const cf = value.toUpperCase()
  if (!/^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/.test(cf))
    return false
  let sum = 0
  for (let i = 0; i < 15; i++) {
    const c = cf.charCodeAt(i)
    const idx = c >= 65 ? c - 65 : c - 48
    sum += i % 2 === 0 ? (CF_ODD[idx] ?? 0) : idx
  }
  return String.fromCharCode(65 + (sum % 26)) === cf[15]
}

/**
 * US SSN: never issued with area 000, 666 or 900-999, group 00 or serial 0000 (SSA, "SSN
 * randomization" 2011). 078-05-1120 and 219-09-9999 are famous published specimens, excluded too.
 */
const ssn = (value: string): boolean => {
  const d = value.replace(/[\s-]/g, '')
  if (!/^\d{9}$/.test(d)) return false
  const area = Number(d.slice(0, 3))
  if (area === 0 || area === 666 || area >= 900) return false
  if (d.slice(3, 5) === '00' || d.slice(5) === '0000') return false
  return d !== '078051120' && d !== '219099999'
}

/** Checksums by name: the names a custom recogniser may give as its `validator`. */
export const checksums = { luhn, iban, nir, dniNie, codiceFiscale, ssn } as const

export type ChecksumName = keyof typeof checksums
