import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { digestSha256 } from './digest-sha256.js'

describe('digestSha256', () => {
  it('gives the published SHA-256 of a text (FIPS 180-2 example "abc")', () => {
    expect(digestSha256('abc', 'hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })

  it('agrees with a Hash object in every encoding, for any text including non-ASCII', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.constantFrom('hex', 'base64', 'base64url'),
        (text, enc) => {
          expect(digestSha256(text, enc)).toBe(createHash('sha256').update(text).digest(enc))
        },
      ),
    )
  })
})
