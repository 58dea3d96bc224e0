import { checksums } from './checksums.js'
import type { Finding } from './entity-types.js'
import { IBAN_LENGTHS } from './iban-lengths.js'
import { matchAt } from './match-at.js'

const IBAN_RUN = /^[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){10,32}/
const TOKEN = /^[A-Z0-9]+/

const isAlnum = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95

/**
 * Maps the first `count` non-separator characters from `start` to an end offset, so a grouped IBAN
 * ("FR76 3000 ...") is reported up to its country length and no further.
 */
const endAfterChars = (text: string, start: number, count: number): number => {
  let seen = 0
  let i = start
  while (i < text.length && seen < count) {
    const c = text.charCodeAt(i)
    if (c !== 32 && c !== 45) seen++
    i++
  }
  return i
}

/** The IBAN at `start`, or where an IBAN-shaped run that failed its checks ends (its digits are no phone). */
const iban = (text: string, start: number): Finding | number | undefined => {
  const m = matchAt(IBAN_RUN, text, start, 80)
  if (!m) return undefined
  const length = IBAN_LENGTHS[m[0].slice(0, 2)]
  if (!length) return undefined
  const end = endAfterChars(text, start, length)
  if (isAlnum(text.charCodeAt(end)) || !checksums.iban(text.slice(start, end))) return start + m[0].length
  return { type: 'iban', start, end }
}

/**
 * An upper-case token found by the trigger: an IBAN, an Italian codice fiscale or a Spanish NIE.
 * Returns where scanning resumes.
 */
export const classifyToken = (text: string, start: number, out: Finding[]): number => {
  if (isAlnum(text.charCodeAt(start - 1))) return start + 1
  const found = iban(text, start)
  if (typeof found === 'number') return found
  if (found) {
    out.push(found)
    return found.end
  }
  const token = matchAt(TOKEN, text, start, 64)?.[0] ?? ''
  const end = start + token.length
  if (isAlnum(text.charCodeAt(end))) return end
  if (token.length === 16 && checksums.codiceFiscale(token)) out.push({ type: 'cf_it', start, end })
  else if (token.length === 9 && /^[XYZ]/.test(token) && checksums.dniNie(token))
    out.push({ type: 'dni_es', start, end })
  return end
}
