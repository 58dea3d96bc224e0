import { Buffer } from 'node:buffer'

// Base64 (standard or URL-safe) and hex runs long enough to carry a sentence; escaped hex bytes
// ("\x69\x67…") too. Fixed-length groups under one quantifier: no nested quantifiers.
const CANDIDATE = /[A-Za-z0-9+/_-]{24,}={0,2}|(?:\\x[0-9a-fA-F][0-9a-fA-F]){12,}/g
const HEX = /^[0-9a-fA-F]+$/
const ESCAPED_HEX = /\\x/g
const MAX_CANDIDATES = 16
const MAX_CANDIDATE_CHARS = 8192
const PRINTABLE = /[\x20-\x7e\t\n\r]/g

const decode = (run: string): string => {
  if (run.startsWith('\\x')) return Buffer.from(run.replace(ESCAPED_HEX, ''), 'hex').toString('latin1')
  if (HEX.test(run) && run.length % 2 === 0) return Buffer.from(run, 'hex').toString('latin1')
  return Buffer.from(run, run.includes('-') || run.includes('_') ? 'base64url' : 'base64').toString('latin1')
}

// Decoded text: mostly printable ASCII. Images, keys and hashes decode to
// binary and are dropped here.
const isProse = (decoded: string): boolean => {
  if (decoded.length < 12) return false
  const printable = decoded.match(PRINTABLE)?.length ?? 0
  return printable / decoded.length >= 0.95
}

/**
 * The prose hidden in base64 or hex runs of `text`: at most 16 runs, each cut to 8 KB, so a text
 * made of one long blob costs one decode.
 */
export const decodeEncodedPayloads = (text: string): string[] => {
  const out: string[] = []
  let seen = 0
  for (const m of text.matchAll(CANDIDATE)) {
    if (++seen > MAX_CANDIDATES) break
    const decoded = decode(m[0].slice(0, MAX_CANDIDATE_CHARS))
    if (isProse(decoded)) out.push(decoded)
  }
  return out
}
