import { isIPv4 } from 'node:net'
import { checksums } from './checksums.js'
import type { Finding } from './entity-types.js'
import { isPhoneNumber } from './is-phone-number.js'

const PHONE_CONTEXT =
  /(?:tel|tél|phone|mobile|cell|call|fax|whatsapp|portable|handy|telefon|móvil|movil|teléfono|telefono|cellulare|telefoon|mobiel|gsm|bel|appel|ruf|llam|chiam)/i
const SSN_CONTEXT = /(?:ssn|social security|soc\.? ?sec)/i
// Whole words only: "server 81.2.69.160" is an address, "ver 1.2.3.4" a version.
const VERSION_CONTEXT = /(?:^|[^\p{L}])(?:version|ver\.?|release|build|v)\s*$/iu
const DATE_LIKE = /^(?:\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})(?:\s+\d{1,2})?$/
const SSN_SHAPE = /^\d{3}([- ])\d{2}\1\d{4}$/
const CARD_SHAPE = /^\d{13,19}$|^\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}$|^\d{4}([ -])\d{6}\2\d{4,5}$/
const IPV4_CIDR = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/\d{1,2})?$/
const NIR_SHAPE = /^[1-8](?: ?\d\d){2} ?\d\d ?\d{3} ?\d{3} ?\d\d$/

/** Issuer ranges (ISO/IEC 7812 IINs) of the networks we recognise; a Luhn pass alone is 1 in 10. */
const isKnownIin = (d: string): boolean => {
  const two = Number(d.slice(0, 2))
  const four = Number(d.slice(0, 4))
  const len = d.length
  if (d[0] === '4') return len === 13 || len === 16 || len === 19 // Visa
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return len === 16 // Mastercard
  if (two === 34 || two === 37) return len === 15 // Amex
  if (four === 6011 || two === 65 || (four >= 6440 && four <= 6499)) return len >= 16 // Discover
  if (four >= 3528 && four <= 3589) return len >= 16 // JCB
  if (two === 30 || two === 36 || two === 38) return len >= 14 // Diners
  if (two === 62) return len >= 16 // UnionPay
  if (two === 50 || (two >= 56 && two <= 69)) return len >= 12 // Maestro
  return false
}

const lookback = (text: string, start: number, n: number): string => text.slice(Math.max(0, start - n), start)

/** Classifies one digit segment (already bounded by the caller) as a whole. */
const classifyWhole = (text: string, start: number, end: number): Finding | undefined => {
  const raw = text.slice(start, end)
  const d = raw.replace(/\D/g, '')
  const ip = IPV4_CIDR.exec(raw)
  if (ip?.[1]) {
    if (!isIPv4(ip[1]) || VERSION_CONTEXT.test(lookback(text, start, 12))) return undefined
    return { type: 'ip', start, end: start + ip[1].length, rule: 'ipv4' }
  }
  if (SSN_SHAPE.test(raw)) return checksums.ssn(d) ? { type: 'ssn_us', start, end } : undefined
  if (DATE_LIKE.test(raw)) return undefined
  if (CARD_SHAPE.test(raw) && isKnownIin(d) && checksums.luhn(d)) return { type: 'card', start, end }
  // Grouped 4-4-4-4 or 4-6-5 is how cards are written, never phones: a failed card stops here.
  if (CARD_SHAPE.test(raw) && raw !== d) return undefined
  if (d.length === 15 && NIR_SHAPE.test(raw) && checksums.nir(d)) return { type: 'nir_fr', start, end }
  const context = lookback(text, start, 32)
  if (d.length === 9 && raw === d && checksums.ssn(d) && SSN_CONTEXT.test(context))
    return { type: 'ssn_us', start, end }
  if (isPhoneNumber(raw, () => PHONE_CONTEXT.test(context))) return { type: 'phone', start, end }
  return undefined
}

const isAlnum = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127

/**
 * A digit run found by the trigger: `[+(]?\d[\d\-./() ]*`. Runs glued to a word ("v1.2.3.4",
 * "INV-2024-0012", "#123456") are identifiers, not entities. Otherwise the run is split where two
 * entities can sit side by side (" / ", double spaces), each piece classified whole, then phones
 * are looked for inside pieces that matched nothing (a phone followed by more digits).
 */
export const classifyDigits = (text: string, start: number, end: number, out: Finding[]): void => {
  let e = end
  while (e > start && !isDigit(text.charCodeAt(e - 1))) e--
  // Keep a closing parenthesis only when the run opened one: "(0)20 7946 0958)" vs "(SSN 078-05-1120)".
  if (text.charCodeAt(e) === 41 && text.slice(start, e).includes('(')) e++
  const before = text.charCodeAt(start - 1)
  if (isAlnum(before)) return
  if (
    (before === 45 || before === 47 || before === 35 || before === 46) &&
    isAlnum(text.charCodeAt(start - 2))
  )
    return
  if (before === 35) return // "#123456789": an order or ticket number
  const after = text.charCodeAt(e)
  if (isAlnum(after) && after !== 95) {
    const dni = e - start === 8 && isLetter(after) && !isAlnum(text.charCodeAt(e + 1))
    if (dni && checksums.dniNie(text.slice(start, e + 1))) out.push({ type: 'dni_es', start, end: e + 1 })
    return
  }
  for (const [s, t] of pieces(text, start, e).flatMap(([s, t]) => splitAroundIpv4(text, s, t))) {
    const whole = classifyWhole(text, s, t)
    if (whole) out.push(whole)
    else findPhoneInside(text, s, t, out)
  }
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57
const EMBEDDED_IPV4 = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/g

/** "+0000 203.0.113.7 -" in a log line: a dotted quad inside a longer run is classified alone. */
const splitAroundIpv4 = (text: string, start: number, end: number): Array<[number, number]> => {
  const slice = text.slice(start, end)
  if (!slice.includes('.') || IPV4_CIDR.test(slice)) return [[start, end]]
  const out: Array<[number, number]> = []
  let from = start
  // matchAll iterates over a copy of the expression: the constant's lastIndex is never touched.
  for (const m of slice.matchAll(EMBEDDED_IPV4)) {
    const s = start + m.index
    if (s > from) out.push([from, s])
    out.push([s, s + m[0].length])
    from = s + m[0].length
  }
  if (from < end) out.push([from, end])
  return out
    .map(([s, t]): [number, number] => {
      while (s < t && !isDigit(text.charCodeAt(s)) && text[s] !== '+' && text[s] !== '(') s++
      while (t > s && !isDigit(text.charCodeAt(t - 1))) t--
      return [s, t]
    })
    .filter(([s, t]) => t > s)
}
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122)

/** Splits [start, end) at " / ", "/ " and runs of two or more spaces. */
const pieces = (text: string, start: number, end: number): Array<[number, number]> => {
  const out: Array<[number, number]> = []
  const re = / ?\/ | {2,}/g
  const slice = text.slice(start, end)
  let from = 0
  for (let m = re.exec(slice); m; m = re.exec(slice)) {
    if (m.index > from) out.push([start + from, start + m.index])
    from = m.index + m[0].length
  }
  if (from < slice.length) out.push([start + from, end])
  return out
}

/**
 * A phone at the start of a run followed by more digits ("06 12 34 56 78 12 items"): the longest
 * prefix of at most 6 groups that validates. Only prefixes: a window in the middle of a longer
 * number (a card with a bad check digit, a tracking number) would be a false phone.
 */
const findPhoneInside = (text: string, start: number, end: number, out: Finding[]): void => {
  // A phone has 8+ digits: most failed runs (dates with times, amounts) stop here, before any regex.
  let digitCount = 0
  for (let i = start; i < end && digitCount < 9; i++)
    if (text.charCodeAt(i) <= 57 && text.charCodeAt(i) >= 48) digitCount++
  if (digitCount < 9) return
  const groups: Array<[number, number]> = []
  const re = /[+(]?\d+\)?/g
  const slice = text.slice(start, end)
  // At most 41 groups are collected: a longer run (a table of numbers) is no phone with a tail.
  for (let m = re.exec(slice); m && groups.length <= 40; m = re.exec(slice))
    groups.push([start + m.index, start + m.index + m[0].length])
  if (groups.length < 2 || groups.length > 40) return
  // A failed card or address shape is an invalid card or address, not a phone with a tail.
  const whole = text.slice(start, end)
  if (CARD_SHAPE.test(whole) || /^\d{1,3}(?:\.\d{1,3}){3,}/.test(whole)) return
  const hasContext = () => PHONE_CONTEXT.test(lookback(text, start, 32))
  for (let j = Math.min(groups.length, 6) - 1; j > 0; j--) {
    const t = groups[j]?.[1] ?? 0
    if (t === end) continue
    const raw = text.slice(start, t)
    if (DATE_LIKE.test(raw) || raw.replace(/\D/g, '').length < 8) continue
    if (isPhoneNumber(raw, hasContext)) {
      out.push({ type: 'phone', start, end: t })
      return
    }
  }
}
