import { describe, expect, it } from 'vitest'
import { createCueHeadSet, forEachCueWord } from './find-cue-words.js'

const heads = createCueHeadSet()
const cueWords = (text: string): string[] => {
  const found: string[] = []
  forEachCueWord(
    text,
    heads,
    (start) => {
      // The word from its start up to a camel-case hump or a non-letter.
      found.push(text.slice(start).match(/^[A-ZÀ-Þ]+(?![a-zß-ÿ])|^[A-ZÀ-Þ]?[a-zß-ÿ]+/)?.[0] ?? '')
      return start
    },
    () => {},
  )
  return found
}

describe('forEachCueWord', () => {
  it('reports cue heads whatever their case, and no other word', () => {
    expect(cueWords('I was BORN in Lyon; Geboren am; the borne is not')).toEqual(['I', 'BORN', 'Geboren'])
  })

  it('splits identifiers at underscores and camel-case humps', () => {
    expect(cueWords('DB_PASSWORD clientSecret apiKey')).toEqual(['PASSWORD', 'client', 'Secret', 'api'])
  })

  it('handles accented heads and ignores words longer than any head', () => {
    expect(cueWords('née chère Straße aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaborn')).toEqual([
      'née',
      'chère',
      'Straße',
    ])
  })

  it('calls back at the end of every other word, for cues inside a word', () => {
    const ends: string[] = []
    const text = 'Hauptstraße 5'
    forEachCueWord(
      text,
      heads,
      (s) => s,
      (s, e) => ends.push(text.slice(s, e)),
    )
    expect(ends).toEqual(['Hauptstraße'])
  })
})
