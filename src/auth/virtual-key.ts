import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { digestSha256 } from '../digest-sha256.js'

/**
 * Virtual keys look like `gth_<id>_<secret>`: a recognisable prefix (secret scanners and humans can
 * tell what leaked), a public id to find the record without scanning, and 32 random bytes. Only a
 * keyed hash of the whole key is stored, so a copy of the database does not let anyone call.
 */
export const KEY_PREFIX = 'gth_'

const ID_CHARS = 'abcdefghijkmnpqrstuvwxyz23456789'
const KEY_PATTERN = /^gth_([a-z2-9]{12})_([A-Za-z0-9_-]{43})$/

export interface NewKey {
  id: string
  /** Shown once, to the creator; never stored. */
  key: string
}

export function generateKey(): NewKey {
  const id = Array.from(randomBytes(12), (b) => ID_CHARS[b % ID_CHARS.length]).join('')
  return { id, key: `${KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}` }
}

/** A new secret for an existing id (rotation keeps the id, so limits, budgets and logs carry on). */
export function regenerateKey(id: string): string {
  return `${KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`
}

/** The id inside a well-formed virtual key, or undefined for anything else (a JWT, a typo). */
export function keyIdOf(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1]
}

/** What listings show: enough to tell keys apart, useless to call with. */
export function displayPrefix(key: string): string {
  return `${key.slice(0, KEY_PREFIX.length + 12 + 5)}…`
}

export function hashKey(key: string, secret: string): string {
  return createHmac('sha256', secret).update(key).digest('hex')
}

/** Config keys are declared by plain SHA-256 so a GitOps repository can hold them. */
export function sha256Hex(key: string): string {
  return digestSha256(key, 'hex')
}

/** Constant-time, so response timing does not tell how much of a hash matched. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y)
}
