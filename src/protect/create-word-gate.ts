/** Which of a fixed set of words occur in a text, by hash: see createWordGate. */
export interface WordGate {
  hash(word: string): number
  /** Hashes of the words of `text` (lower-case) that are in the set; a collision adds a harmless extra. */
  present(text: string): Set<number>
}

const BLOOM_SIZE = 8192

const isWordChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57)

const hashWord = (word: string): number => {
  let h = 0
  for (let i = 0; i < word.length; i++) h = (Math.imul(h, 31) + word.charCodeAt(i)) | 0
  return h
}

/**
 * A word finder for rule gates. Words are runs of a-z and 0-9, the same boundaries as `\b` in a
 * lower-cased text. One hash per character and a set lookup per word: a large alternation of the
 * words, tried at every position, cost several times more (measured).
 */
export const createWordGate = (words: Iterable<string>): WordGate => {
  const known = new Set([...words].map(hashWord))
  // A bitmap on the low bits in front of the set: most words of a text are not gate words.
  const bloom = new Uint8Array(BLOOM_SIZE)
  for (const h of known) bloom[h & (BLOOM_SIZE - 1)] = 1
  return {
    hash: hashWord,
    present(text) {
      const found = new Set<number>()
      let h = 0
      let inWord = false
      for (let i = 0; i <= text.length; i++) {
        const c = i < text.length ? text.charCodeAt(i) : 0
        if (isWordChar(c)) {
          h = inWord ? (Math.imul(h, 31) + c) | 0 : c
          inWord = true
        } else if (inWord) {
          if (bloom[h & (BLOOM_SIZE - 1)] === 1 && known.has(h)) found.add(h)
          inWord = false
        }
      }
      return found
    },
  }
}
