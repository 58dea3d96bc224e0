import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createBodyCipher, parseBodyKey } from './body-cipher.js'

const k1 = { id: 'k1', key: randomBytes(32) }
const k2 = { id: 'k2', key: randomBytes(32) }

describe('body cipher (AES-256-GCM)', () => {
  it('round-trips any text, with a fresh IV each time', () => {
    const cipher = createBodyCipher([k1])
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 500 }), fc.uuid(), (text, requestId) => {
        expect(cipher.open(cipher.seal(text, requestId), requestId)).toBe(text)
      }),
    )
    const a = cipher.seal('same', 'r')
    const b = cipher.seal('same', 'r')
    expect(a).not.toBe(b)
    expect(a).toMatch(/^v1\.k1\.[\w-]{16}\.[\w-]+$/)
    expect(a).not.toContain('same')
  })

  it('refuses a tampered body and a body read for another request', () => {
    const cipher = createBodyCipher([k1])
    const sealed = cipher.seal('{"role":"user","content":"secret plan"}', 'req-1')
    const parts = sealed.split('.')
    const data = Buffer.from(parts[3]!, 'base64url')
    data[0] = data[0]! ^ 1
    const tampered = [...parts.slice(0, 3), data.toString('base64url')].join('.')
    expect(() => cipher.open(tampered, 'req-1')).toThrow(/does not authenticate/)
    expect(() => cipher.open(sealed, 'req-2')).toThrow(/does not authenticate/)
    expect(() => cipher.open('plain text', 'req-1')).toThrow(/not a sealed body/)
  })

  it('rotates: new bodies use the first key, old ones still open while their key is listed', () => {
    const before = createBodyCipher([k1])
    const old = before.seal('old body', 'r')
    const after = createBodyCipher([k2, k1])
    expect(after.activeKeyId).toBe('k2')
    expect(after.open(old, 'r')).toBe('old body')
    expect(after.seal('new', 'r').split('.')[1]).toBe('k2')
    expect(() => createBodyCipher([k2]).open(old, 'r')).toThrow(/key "k1", which is not configured/)
  })

  it('reads keys as 64 hex digits or base64, and says how to make one otherwise', () => {
    expect(parseBodyKey('a', 'ab'.repeat(32)).key).toHaveLength(32)
    expect(parseBodyKey('b', randomBytes(32).toString('base64')).key).toHaveLength(32)
    expect(() => parseBodyKey('c', 'too-short')).toThrow(/must be 32 bytes.*openssl rand -base64 32/)
    expect(() => createBodyCipher([])).toThrow()
  })
})
