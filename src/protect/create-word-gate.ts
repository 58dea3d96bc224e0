/** Which of a fixed set of words occur in a text, and where, by hash: see createWordGate. */
export interface WordGate {
  hash(word: string): number
  /**
   * The words of `text` (lower-case, or its char codes) that are in the set: hash to the start index
   * of each occurrence, ascending. A collision adds a harmless extra.
   */
  find(text: string | Uint8Array | Uint16Array): Map<number, number[]>
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

  const add = (found: Map<number, number[]>, h: number, start: number): void => {
    if (bloom[h & (BLOOM_SIZE - 1)] !== 1 || !known.has(h)) return
    const at = found.get(h)
    if (at === undefined) found.set(h, [start])
    else at.push(start)
  }

  // Two copies of one loop, so that each reads one kind of input (typed arrays read faster).
  const findInText = (text: string): Map<number, number[]> => {
    const found = new Map<number, number[]>()
    let h = 0
    let start = -1
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (!isWordChar(c)) {
        if (start >= 0) add(found, h, start)
        start = -1
      } else if (start < 0) {
        start = i
        h = c
      } else h = (Math.imul(h, 31) + c) | 0
    }
    if (start >= 0) add(found, h, start)
    return found
  }

  const findInCodes = (codes: Uint8Array | Uint16Array): Map<number, number[]> => {
    const found = new Map<number, number[]>()
    let h = 0
    let start = -1
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i] as number
      if (!isWordChar(c)) {
        if (start >= 0) add(found, h, start)
        start = -1
      } else if (start < 0) {
        start = i
        h = c
      } else h = (Math.imul(h, 31) + c) | 0
    }
    if (start >= 0) add(found, h, start)
    return found
  }

  return {
    hash: hashWord,
    find: (text) => (typeof text === 'string' ? findInText(text) : findInCodes(text)),
  }
}
