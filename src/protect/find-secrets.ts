import type { Finding } from './entity-types.js'
import { matchAt } from './match-at.js'
import { SECRET_RULES } from './secret-rules.js'
import { shannonEntropy } from './shannon-entropy.js'

/**
 * Minimum Shannon entropy (bits per character) for a value after a generic key word (token,
 * secret, api_key ...). Random base64 or hex of 16+ characters scores 3.5 to 5; words, paths and
 * identifiers score lower. gitleaks uses 3.5 for its generic rule; we keep it.
 */
export const GENERIC_ENTROPY_BITS = 3.5
/** Hex has 16 symbols, so at most 4 bits per character: random hex of 32-40 characters scores 3.6-3.9. */
export const HEX_ENTROPY_BITS = 3.0

const entropyThreshold = (value: string): number =>
  /^[0-9a-f]+$/i.test(value) ? HEX_ENTROPY_BITS : GENERIC_ENTROPY_BITS

const PLACEHOLDER =
  /^(?:\*+|x{3,}|•+|\.{3,}|<[^>]*>|\$\{[^}]*\}|\$[A-Z_]+|\{\{[^}]*\}\}|\[[^\]]*\]|%[A-Za-z_]+%|null|none|true|false|undefined|password|pass|secret|redacted|changeme|required|invalid|incorrect|expired|missing|empty|reset|updated|changed|your[_-]?\w*)$/i
const AWS_SECRET = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/
const ASSIGNED = /^[\w.-]*["']?\s*(?::=|=>|[:=]|\bis\b|\best\b|\bist\b)\s*["'`]?([^\s"'`,;<>]{6,200})/
const CREDENTIALS = /^([^\s:/@]{1,128}):([^\s@/]{1,256})@[A-Za-z0-9[]/

// The longest secret: a private key block (up to 16 KB of body, see secret-rules.ts) and its lines.
const KEY_WINDOW = 17_000

const isAlnum = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95

/** Per scan: where the next "-----END" is (-1 before the first look, Infinity when there is none). */
export interface KeyEndMemo {
  nextKeyEnd: number
}

/** A known secret prefix at `start`: the first rule that matches there wins. */
export const findPrefixedSecret = (text: string, start: number, memo: KeyEndMemo, out: Finding[]): number => {
  if (isAlnum(text.charCodeAt(start - 1))) return start + 1
  // A key block is only worth the expression when its END line is in reach. The next END is looked
  // up again only once the scan has passed it, so many unterminated BEGIN lines cost one pass.
  if (text.startsWith('-----BEGIN', start)) {
    if (memo.nextKeyEnd !== Number.POSITIVE_INFINITY && memo.nextKeyEnd < start) {
      const at = text.indexOf('-----END', start)
      memo.nextKeyEnd = at < 0 ? Number.POSITIVE_INFINITY : at
    }
    if (memo.nextKeyEnd - start > KEY_WINDOW) return start + 1
  }
  const window = text.slice(start, start + KEY_WINDOW)
  for (const { rule, pattern } of SECRET_RULES) {
    const m = pattern.exec(window)
    if (!m) continue
    const end = start + m[0].length
    out.push({ type: 'secret', start, end, rule })
    if (rule === 'aws-access-key-id') findAwsSecret(text, end, out)
    return end
  }
  return start + 1
}

// An AWS secret access key is 40 base64 characters with no prefix: only trusted near a key id.
const findAwsSecret = (text: string, from: number, out: Finding[]): void => {
  const window = text.slice(from, from + 200)
  const m = AWS_SECRET.exec(window)
  if (m && shannonEntropy(m[0]) >= 4) {
    out.push({
      type: 'secret',
      start: from + m.index,
      end: from + m.index + 40,
      rule: 'aws-secret-access-key',
    })
  }
}

/** The password of "scheme://user:password@host"; placeholders are not reported. */
export const findUrlCredentials = (text: string, afterScheme: number, out: Finding[]): number => {
  const m = matchAt(CREDENTIALS, text, afterScheme, 400)
  if (!m?.[2] || PLACEHOLDER.test(m[2])) return afterScheme
  const start = afterScheme + (m[1]?.length ?? 0) + 1
  out.push({ type: 'secret', start, end: start + m[2].length, rule: 'url-password' })
  return start + m[2].length
}

/**
 * The value assigned to a key word: any non-placeholder value of 6+ characters after a password
 * word, a value of 16+ characters above the entropy threshold after the other words.
 */
export const findAssignedSecret = (
  text: string,
  keywordEnd: number,
  isPassword: boolean,
  out: Finding[],
): number => {
  const m = matchAt(ASSIGNED, text, keywordEnd, 300)
  const value = m?.[1]
  if (!m || !value || PLACEHOLDER.test(value) || PLACEHOLDER.test(value.replace(/[.!?]+$/, '')))
    return keywordEnd
  const ok = isPassword || (value.length >= 16 && shannonEntropy(value) >= entropyThreshold(value))
  if (!ok) return keywordEnd
  const end = keywordEnd + m[0].length
  out.push({
    type: 'secret',
    start: end - value.length,
    end,
    rule: isPassword ? 'password' : 'generic-high-entropy',
  })
  return end
}
