import type { Finding } from './entity-types.js'

const isLocal = (c: number): boolean =>
  (c >= 48 && c <= 57) ||
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  c === 46 ||
  c === 95 ||
  c === 37 ||
  c === 43 ||
  c === 45
const isDomain = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 45

const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}$/

/**
 * Expands around an "@" to an RFC 5321 dot-atom address (the common subset: no quoted local parts,
 * no IP literals). An "@" inside URL credentials ("scheme://user:pass@host") is not an address.
 */
export const findEmail = (text: string, at: number, out: Finding[]): void => {
  let s = at
  while (s > 0 && at - s < 64 && isLocal(text.charCodeAt(s - 1))) s--
  while (text.charCodeAt(s) === 46) s++
  let e = at + 1
  while (e < text.length && e - at < 255 && isDomain(text.charCodeAt(e))) e++
  while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--
  if (s === at || text.charCodeAt(at - 1) === 46) return
  if (text.charCodeAt(s - 1) === 58 && /:\/\/[^\s]*$/.test(text.slice(Math.max(0, s - 200), s))) return
  if (!DOMAIN.test(text.slice(at + 1, e))) return
  out.push({ type: 'email', start: s, end: e })
}
