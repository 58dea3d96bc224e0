import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/** A data key: its id is stored beside every sealed body, so keys can rotate without re-encrypting. */
export interface BodyKey {
  id: string
  /** 32 bytes. */
  key: Buffer
}

export interface BodyCipher {
  /** The id new bodies are sealed with (the first key). */
  readonly activeKeyId: string
  /** `v1.<key id>.<iv>.<ciphertext+tag>` (base64url); `context` (the request id) is bound as AAD. */
  seal(plaintext: string, context: string): string
  /** The plaintext, or an error naming why (unknown key id, tampered or moved to another row). */
  open(sealed: string, context: string): string
}

const IV_BYTES = 12 // NIST SP 800-38D: 96-bit IVs for GCM
const TAG_BYTES = 16

/**
 * AES-256-GCM for request and response bodies at rest. Each body gets a random 96-bit IV; the
 * request id is authenticated data, so a ciphertext copied onto another row does not open. The
 * first key seals; every key listed opens, which is how keys rotate: add the new key first, keep
 * the old ones until the rows they sealed have aged out of retention.
 */
export function createBodyCipher(keys: readonly BodyKey[]): BodyCipher {
  const active = keys[0]
  if (!active) throw new Error('at least one body key is required')
  const byId = new Map(keys.map((k) => [k.id, k.key]))
  return {
    activeKeyId: active.id,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', active.key, iv)
      cipher.setAAD(Buffer.from(context, 'utf8'))
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
      return `v1.${active.id}.${iv.toString('base64url')}.${data.toString('base64url')}`
    },
    open(sealed, context) {
      const [version, keyId, ivText, dataText, extra] = sealed.split('.')
      if (version !== 'v1' || !keyId || !ivText || dataText === undefined || extra !== undefined)
        throw new Error('not a sealed body')
      const key = byId.get(keyId)
      if (!key) throw new Error(`body sealed with key "${keyId}", which is not configured`)
      const iv = Buffer.from(ivText, 'base64url')
      const data = Buffer.from(dataText, 'base64url')
      if (iv.length !== IV_BYTES || data.length < TAG_BYTES) throw new Error('not a sealed body')
      const decipher = createDecipheriv('aes-256-gcm', key, iv)
      decipher.setAAD(Buffer.from(context, 'utf8'))
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES))
      try {
        return Buffer.concat([
          decipher.update(data.subarray(0, data.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8')
      } catch {
        throw new Error('body does not authenticate: tampered, or read for another request')
      }
    },
  }
}

/** A key from config: 32 bytes as base64 (44 chars) or hex (64 chars). */
export function parseBodyKey(id: string, text: string): BodyKey {
  const trimmed = text.trim()
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64')
  if (key.length !== 32) {
    throw new Error(
      `key "${id}" must be 32 bytes, as 64 hex digits or base64 (e.g. openssl rand -base64 32); got ${key.length} bytes`,
    )
  }
  return { id, key }
}
