import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ChatBody } from '../providers/types.js'
import { promptFingerprint } from './prompt-fingerprint.js'

const body = (content: ChatBody['messages'][number]['content'], model = 'gpt-4o-mini'): ChatBody => ({
  model,
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content },
  ],
})

/** The normalisation the loop guard promises, written the obvious way. */
const normalised = (text: string) => text.toLowerCase().replace(/\d/g, '0').replace(/\s+/g, ' ').trim()

// Letters, digits, every kind of whitespace \s knows, accents and characters that change length
// when lower-cased: where a hand-written normaliser would go wrong.
const pieces = fc.constantFrom(
  'a',
  'B',
  'z',
  'É',
  'é',
  'İ',
  'ß',
  'Σ',
  '0',
  '7',
  '9',
  '٣',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  '\u00a0',
  '\u2003',
  '\u2028',
  '\u3000',
  '\ufeff',
  '\u200b',
  '.',
  ':',
)
const texts = fc.array(pieces, { maxLength: 24 }).map((parts) => parts.join(''))

describe('promptFingerprint', () => {
  it('is equal exactly when the normalised prompts are equal', () => {
    fc.assert(
      fc.property(texts, texts, (a, b) => {
        const same = normalised(a) === normalised(b)
        const fa = promptFingerprint(body(a))
        const fb = promptFingerprint(body(b))
        if (normalised(a) === '') expect(fa).toBeUndefined()
        else expect(fa === fb).toBe(same)
      }),
      { numRuns: 2000 },
    )
  })

  it('treats timestamps, counters, case and spacing as the same prompt', () => {
    const first = promptFingerprint(body('Retry #1 at 12:00:01: summarise   the report'))
    expect(first).toMatch(/^[0-9a-f]{16}$/)
    expect(promptFingerprint(body('retry #2 at 12:00:02:\nSummarise the report '))).toBe(first)
    expect(promptFingerprint(body('retry #2 at 12:00:02: summarise a report'))).not.toBe(first)
  })

  it('tells models apart, reads text parts, and has nothing to say without user text', () => {
    const text = 'Summarise the report'
    expect(promptFingerprint(body(text, 'gpt-4o'))).not.toBe(promptFingerprint(body(text)))
    expect(
      promptFingerprint(
        body([
          { type: 'text', text: 'Summarise' },
          { type: 'text', text: 'the report' },
        ]),
      ),
    ).toBe(promptFingerprint(body(text)))
    expect(promptFingerprint(body(' \n\t'))).toBeUndefined()
    expect(promptFingerprint({ model: 'm', messages: [{ role: 'system', content: 'x' }] })).toBeUndefined()
  })
})
