import { isIPv6 } from 'node:net'
import { checksums } from './checksums.js'
import { classifyDigits } from './classify-digits.js'
import { classifyToken } from './classify-token.js'
import type { Finding } from './entity-types.js'
import { findAddress, findBirthDate, findPersonName } from './find-by-context.js'
import { createCueHeadSet, forEachCueWord } from './find-cue-words.js'
import { findEmail } from './find-email.js'
import {
  findAssignedSecret,
  findPrefixedSecret,
  findUrlCredentials,
  type KeyEndMemo,
} from './find-secrets.js'
import { matchAt } from './match-at.js'
import { SECRET_PREFIX_SOURCE } from './secret-rules.js'

// Two passes. Rare characters (digits, "@", ":", upper-case tokens, secret prefixes): one
// case-sensitive expression over the text. Cue words: a case-insensitive expression tried only where
// a word scanner (find-cue-words.ts) sees a cue's first word; CUE_HEADS there must list the first
// word of every phrase below.
const DOB =
  'born|birth|birthday|birthdate|date of birth|dob|d\\.o\\.b\\.?|né|née|naissance|geboren|geburtsdatum|nacido|nacida|nacimiento|nato|nata|nascita|geboortedatum'
const PERSON =
  "(?:my name is|name is|i am|i'm|je soussignée?|customer|client|patient|kunde|kundin|cliente|paziente|name['’]s|name:|nom ?:|je m['’]appelle|ich hei(?:ß|ss)e|me llamo|mi chiamo|mijn naam is|dear|cher|chère|liebe|lieber|estimad[oa]|gentile|beste|regards,|cordialement,|grüße,|saludos,|saluti,|groeten,|patient:|signed|mrs?\\.?|ms\\.?|dr\\.|m\\.|mme|mlle|monsieur|madame|herr|frau|sra?\\.|sig\\.(?:ra)?|signora?|dhr\\.|mevr\\.)(?![a-z])"
const STREET_FR = '(?:rue|avenue|boulevard|bd|chemin|chaussée|allée|impasse|quai|place|route)(?![a-z])'
const STREET_ES_IT =
  '(?:calle|c/|avenida|avda\\.|plaza|paseo|carrer|via|viale|piazza|piazzale|corso|largo)(?![a-z])'
const STREET_EN =
  '(?:street|st\\.|road|rd\\.?|avenue|ave\\.?|lane|ln\\.|drive|dr|boulevard|blvd\\.?|court|way|terrace|close|crescent|square)(?![a-z])'
const STREET_COMPOUND =
  '(?:straße|strasse|str\\.|weg|gasse|platz|allee|ring|damm|straat|laan|gracht|plein|steeg|kade|dreef)(?=\\s+\\d)'
const PASSWORD = 'password|passwd|passphrase|pwd|mot de passe|passwort|kennwort|contraseña|wachtwoord'
const KEYWORD = 'secret|token|api_key|apikey|api-key|access_key|private_key|auth'

const RARE_SOURCE = [
  '(\\b[12] ?\\d\\d ?\\d\\d ?2[AB])', // 1 NIR with a Corsican department
  '(:(?=[0-9a-fA-F]{0,4}:))', // 2 IPv6: two colons close together
  // 3 digit run of 7+ characters: the shortest entity written with digits is an IPv4 (1.1.1.1).
  '([+(]?\\d[\\d\\-./() \\u00a0]{6,})',
  '(@)', // 4 e-mail
  '(:\\/\\/)', // 5 URL credentials
  `(${SECRET_PREFIX_SOURCE})`, // 6 prefixed secret
  '(\\b[A-Z]{2}\\d{2}|\\b[A-Z][A-Z0-9]{7,})', // 7 upper-case token: IBAN, codice fiscale, NIE
].join('|')

const CUE_SOURCE = [
  `\\b(${DOB})`, // 1
  `\\b(${PERSON})`, // 2
  `\\b(${STREET_FR})`, // 3
  `\\b(${STREET_ES_IT})`, // 4
  `\\b(${STREET_EN})`, // 5
  `(${STREET_COMPOUND})`, // 6
  `(${PASSWORD})`, // 7 no \\b: DB_PASSWORD
  `(${KEYWORD})`, // 8
].join('|')

const NIR_CORSICA = /^[12] ?\d\d ?\d\d ?2[AB] ?\d{3} ?\d{3} ?\d\d(?![0-9A-Za-z])/

/**
 * A scanner for the built-in recognisers. Its two trigger expressions live as long as the scanner:
 * V8 compiles a regular expression to machine code only after it has run a while, and a fresh
 * RegExp per scan ran at half the speed (measured). A scan runs to completion synchronously, so the
 * shared `lastIndex` cannot be disturbed mid-scan.
 */
export const createBuiltinScanner = (options: { hasCues: boolean }): ((text: string) => Finding[]) => {
  const rare = new RegExp(RARE_SOURCE, 'g')
  // The cue pass costs most of the scan: skipped when no type it serves is enabled. Sticky: it is
  // only tried where a word scanner found the head word of a cue.
  const cue = options.hasCues ? new RegExp(CUE_SOURCE, 'iy') : undefined
  const heads = createCueHeadSet()
  return function scanBuiltins(text) {
    const out: Finding[] = []
    const memo = { nextKeyEnd: -1 }
    rare.lastIndex = 0
    for (let m = rare.exec(text); m; m = rare.exec(text)) {
      rare.lastIndex = Math.max(onRare(text, m, memo, out), m.index + 1)
    }
    if (!cue) return out
    forEachCueWord(
      text,
      heads,
      (start) => {
        cue.lastIndex = start
        const m = cue.exec(text)
        return m ? Math.max(onCue(text, m, out), start + 1) : start
      },
      (start, end) => onWordEnd(text, start, end, out),
    )
    return out
  }
}

// Cues inside a longer word: a street type ending a compound ("Hauptstraße 5") and a key word
// inside an identifier ("dbpassword=", "authtoken:").
const COMPOUND_TAIL =
  /(?:straße|strasse|weg|gasse|platz|allee|ring|damm|straat|laan|gracht|plein|steeg|kade|dreef)$/i
const SECRET_WORD = /password|passwd|pwd|secret|token|apikey|auth/i

const onWordEnd = (text: string, start: number, end: number, out: Finding[]): void => {
  if (end - start < 5) return
  const c = text.charCodeAt(end)
  if (c === 32 || c === 9) {
    const d = text.charCodeAt(end + 1)
    if (d < 48 || d > 57) return
    const m = COMPOUND_TAIL.exec(text.slice(start, end))
    if (m && m.index > 0) findAddress(text, start + m.index, end, 'compound', out)
  } else if (c === 61 || c === 58 || c === 34 || c === 39) {
    const m = SECRET_WORD.exec(text.slice(start, end))
    if (m && m.index > 0) findAssignedSecret(text, end, /^p/i.test(m[0]), out)
  }
}

const onRare = (text: string, m: RegExpExecArray, memo: KeyEndMemo, out: Finding[]): number => {
  const at = m.index
  const end = at + m[0].length
  if (m[1] !== undefined) return nirCorsica(text, at, out) ?? at + 1
  if (m[2] !== undefined) return ipv6(text, at, out)
  if (m[3] !== undefined) classifyDigits(text, at, end, out)
  else if (m[4] !== undefined) findEmail(text, at, out)
  else if (m[5] !== undefined) return findUrlCredentials(text, end, out)
  else if (m[6] !== undefined) return findPrefixedSecret(text, at, memo, out)
  else if (m[7] !== undefined) return classifyToken(text, at, out)
  return end
}

const isUpper = (c: string | undefined): boolean => c !== undefined && c !== c.toLowerCase()

// Titles and street types only count capitalised ("Mr", "Via", "Street"): "via email" is no address.
const onCue = (text: string, m: RegExpExecArray, out: Finding[]): number => {
  const at = m.index
  const end = at + m[0].length
  const first = text[at]
  if (m[1] !== undefined) return findBirthDate(text, end, out)
  if (m[2] !== undefined) {
    const isTitle =
      /^(?:mrs?|ms|dr|m|mme|mlle|monsieur|madame|herr|frau|sra?|sig|signora?|dhr|mevr)\.?$/i.test(m[2])
    return isTitle && !isUpper(first) ? end : findPersonName(text, end, isTitle, out)
  }
  if (m[3] !== undefined) {
    // "Avenue" and "Place" are street types in English too: "1600 Pennsylvania Avenue".
    const before = out.length
    const next = findAddress(text, at, end, 'fr', out)
    return out.length === before && isUpper(first) ? findAddress(text, at, end, 'en', out) : next
  }
  if (m[4] !== undefined) return isUpper(first) ? findAddress(text, at, end, 'es-it', out) : end
  if (m[5] !== undefined) return isUpper(first) ? findAddress(text, at, end, 'en', out) : end
  if (m[6] !== undefined) return findAddress(text, at, end, 'compound', out)
  if (m[7] !== undefined) return findAssignedSecret(text, end, true, out)
  if (m[8] !== undefined) return findAssignedSecret(text, end, false, out)
  return end
}

const nirCorsica = (text: string, at: number, out: Finding[]): number | undefined => {
  const m = matchAt(NIR_CORSICA, text, at, 32)
  if (!m || !checksums.nir(m[0])) return undefined
  out.push({ type: 'nir_fr', start: at, end: at + m[0].length })
  return at + m[0].length
}

const isHexOrColon = (c: number): boolean =>
  (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)

/** Expands around two nearby colons to a hex-and-colon run, then lets node:net decide. */
const ipv6 = (text: string, colon: number, out: Finding[]): number => {
  let s = colon
  while (s > 0 && s > colon - 40 && isHexOrColon(text.charCodeAt(s - 1))) s--
  let e = colon
  while (e < text.length && e - s < 45 && (isHexOrColon(text.charCodeAt(e)) || text.charCodeAt(e) === 46)) e++
  while (e > s && (text.charCodeAt(e - 1) === 58 || text.charCodeAt(e - 1) === 46)) e--
  const candidate = text.slice(s, e)
  const isCompressed = candidate.includes('::')
  if (/^[0-9a-zA-Z]/.test(text[s - 1] ?? '') || (!isCompressed && candidate.split(':').length < 8))
    return colon + 1
  if (!isIPv6(candidate)) return colon + 1
  out.push({ type: 'ip', start: s, end: e, rule: 'ipv6' })
  return e
}
