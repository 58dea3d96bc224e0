import { Buffer } from 'node:buffer'

/** Two views of one text for the injection rules, and what normalising removed. */
export interface InjectionText {
  /** NFKC, lower-case, invisible characters removed, blank runs collapsed; line breaks kept (markup rules). */
  base: string
  /** `base` without diacritics, look-alike letters, leetspeak, emphasis marks or line breaks (phrase rules). */
  phrase: string
  /** The phrase view's char codes, where the fast path made them: a word scan reads them faster. */
  phraseCodes?: Uint8Array | Uint16Array
  /** Zero-width and direction-control characters hidden inside Latin text. */
  invisibleCount: number
  /** ASCII smuggled as Unicode tag characters (U+E0020–U+E007E), decoded. */
  tagText: string
}

// Zero-width, word-joiner, BOM, soft hyphen, bidi embeddings/isolates: none renders, so a run of them
// inside a sentence is there to split a phrase (or to hide one) from a human reader.
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g
// Tag characters are a surrogate pair \udb40 + \udc00–\udc7f; a subdivision flag (England, Scotland)
// uses a handful, a smuggled instruction dozens.
const TAG = /\udb40[\udc00-\udc7f]/g
const NON_ASCII = /[^\t-~]/
// String replacements, no callback per match, each pass linear: other blanks to a space (NFKC has
// already made no-break and typographic spaces plain ones), space runs to one, and a line break with
// the blanks and breaks after it to one line break.
const OTHER_BLANK = /[\t\v\f\r\u0085\u1680\u2028\u2029]/g
const HAS_OTHER_BLANK = /[\t\v\f\r\u0085\u1680\u2028\u2029]/
const SPACE_RUN = / {2,}/g
const LINE_BREAK = / ?\n[ \n]*/g
const HAS_INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/
const ACCENTED = /[\u00c0-\u017f]/g
const COMBINING = /[\u0300-\u036f]/g
// Latin-1 and Latin Extended-A letters without their accents, from Unicode's own decompositions: a
// lookup per accented letter instead of decomposing the whole text (NFKC has composed them all).
const UNACCENTED = new Map(
  Array.from({ length: 0x180 - 0xc0 }, (_, i) => {
    const c = String.fromCharCode(0xc0 + i)
    return [c, c.normalize('NFD').replace(COMBINING, '')] as const
  }),
)
// Cyrillic and Greek letters drawn like Latin ones, the common homoglyph substitutions.
const LOOKALIKE: Record<string, string> = {
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ο: 'o',
  α: 'a',
  ι: 'i',
  ε: 'e',
  ν: 'v',
  ρ: 'p',
  κ: 'k',
}
const LOOKALIKES = /[аеорсухіјѕԁοαιενρκ]/g
const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
}
// A digit or symbol touching a letter: "1gn0re", "@ll", "in$tructions"; not a lone number ("7 days").
// Where one occurs, every such character of a word with a letter is mapped ("4bs7r4c71on").
const LEETSPEAK = /[013457@$](?:(?=[a-z])|(?<=[a-z][013457@$]))/g
const EMPHASIS = /[*_`~]/g
const HAS_EMPHASIS = /[*_`~]/

// A zero-width joiner inside an emoji sequence (family, profession, flag) is how those are written.
const isEmojiJoin = (text: string, i: number): boolean => {
  if (text.charCodeAt(i) !== 0x200d) return false
  const before = text.charCodeAt(i - 1)
  return (before >= 0xd800 && before <= 0xdfff) || before === 0xfe0f || (before >= 0x2600 && before <= 0x27bf)
}

const countInvisible = (text: string): number => {
  let n = 0
  for (const m of text.matchAll(INVISIBLE)) {
    const before = text.charCodeAt(m.index - 1)
    // Counted inside Latin text only: a zero-width non-joiner belongs in Persian or Hindi words.
    if (before < 0x250 && !isEmojiJoin(text, m.index)) n++
  }
  return n
}

const decodeTags = (text: string): string => {
  let out = ''
  for (const m of text.matchAll(TAG)) {
    const c = m[0].charCodeAt(1) - 0xdc00
    if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c)
  }
  return out
}

const collapseBlanks = (text: string): string => {
  const plain = HAS_OTHER_BLANK.test(text) ? text.replace(OTHER_BLANK, ' ') : text
  const single = plain.replace(SPACE_RUN, ' ')
  return single.includes('\n') ? single.replace(LINE_BREAK, '\n') : single
}

// Repeated: a pass maps the characters that touch a letter, the next those that touched only digits
// before ("f415" → "fa15" → "fai5" → "fais"). Three passes cover words of up to three digits in a row.
const unLeet = (text: string): string => {
  let out = text
  for (let pass = 0; pass < 3; pass++) {
    const next = out.replace(LEETSPEAK, (c) => LEET[c] ?? c)
    if (next === out) break
    out = next
  }
  return out
}

// The fast path: texts made only of characters that NFKC leaves alone and that are neither invisible,
// nor look-alikes, nor blanks other than ASCII ones (nearly all prompts: ASCII plus accented Latin,
// typographic quotes and dashes, currency signs) need no Unicode pass. Two loops over char codes then
// give the same views as the replaces below. None of these characters has a combining class or
// composes with its neighbour, so a text of them is in NFKC as a whole (Unicode's NFKC quick check).
const FAST_LIMIT = 0x20d0
const FAST_RANGES: readonly (readonly [number, number])[] = [
  [0xa0, 0x17f],
  [0x2010, 0x205f],
  [0x20a0, 0x20cf],
]
// Marks in the lower-case table: not handled here, and blanks.
const SKIP = 0
const SPACE = 0xfffe
const BREAK = 0xffff
// Marks in the phrase table: dropped, and a leetspeak character.
const DROP = 0
const LEET_MARK = 1
const ASCII_BLANKS = new Set([9, 11, 12, 13, 32])

interface FastTables {
  /** Per char code: its lower case (base view), SPACE, BREAK, or SKIP (take the Unicode path). */
  lower: Uint16Array
  /** Per lower-case code: its phrase-view code (unaccented), DROP or LEET_MARK. */
  phrase: Uint16Array
  /** Per ASCII code: the letter a leet character stands for, or 0. */
  leet: Uint8Array
}

const isFastChar = (c: string): boolean => {
  const lower = c.toLowerCase()
  return (
    c.normalize('NFKC') === c &&
    !HAS_INVISIBLE.test(c) &&
    !HAS_OTHER_BLANK.test(c) &&
    LOOKALIKE[c] === undefined &&
    lower.length === 1 &&
    lower.charCodeAt(0) >= 0x80 &&
    lower.charCodeAt(0) < FAST_LIMIT &&
    (UNACCENTED.get(lower) ?? lower).length === 1
  )
}

const buildFastTables = (): FastTables => {
  const lower = new Uint16Array(FAST_LIMIT)
  const phrase = Uint16Array.from({ length: FAST_LIMIT }, (_, c) => c)
  const leet = Uint8Array.from({ length: 128 }, (_, c) => LEET[String.fromCharCode(c)]?.charCodeAt(0) ?? 0)
  for (let c = 9; c <= 126; c++) {
    lower[c] = c === 10 ? BREAK : ASCII_BLANKS.has(c) ? SPACE : c >= 65 && c <= 90 ? c + 32 : c
    if (leet[c] !== 0) phrase[c] = LEET_MARK
    if (HAS_EMPHASIS.test(String.fromCharCode(c))) phrase[c] = DROP
  }
  phrase[10] = 32
  for (const [from, to] of FAST_RANGES) {
    for (let c = from; c <= to; c++) {
      const ch = String.fromCharCode(c)
      if (!isFastChar(ch)) continue
      const l = ch.toLowerCase()
      lower[c] = l.charCodeAt(0)
      phrase[l.charCodeAt(0)] = (UNACCENTED.get(l) ?? l).charCodeAt(0)
    }
  }
  return { lower, phrase, leet }
}

const FAST = buildFastTables()

// Codes are written to bytes while they fit (a Latin-1 text: one copy out as a one-byte string),
// else to 16-bit units. Plain typed arrays: a Buffer's elements read slower (measured).
type Codes = Uint8Array | Uint16Array
const WIDE = -1
const UNHANDLED = -2

const toText = (codes: Codes, start: number, end: number): string => {
  const size = codes.BYTES_PER_ELEMENT
  const bytes = Buffer.from(codes.buffer, codes.byteOffset + start * size, (end - start) * size)
  return bytes.toString(size === 1 ? 'latin1' : 'utf16le')
}

/**
 * Writes the base view's codes to `out` from 0 (lower-cased, blank runs collapsed as collapseBlanks
 * does) and returns their count; UNHANDLED for a character of the Unicode path, WIDE for one that
 * does not fit `out`.
 */
const fastBase = (text: string, out: Codes): number => {
  const { lower } = FAST
  const maxCode = out.BYTES_PER_ELEMENT === 1 ? 0xff : 0xffff
  let n = 0
  // A blank run becomes one line break if it holds one, else one space.
  let pending = SKIP
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const l = c < FAST_LIMIT ? (lower[c] as number) : SKIP
    if (l >= SPACE) {
      if (l > pending) pending = l
    } else if (l === SKIP) {
      return UNHANDLED
    } else if (l > maxCode) {
      return WIDE
    } else {
      if (pending !== SKIP) {
        out[n++] = pending === BREAK ? 10 : 32
        pending = SKIP
      }
      out[n++] = l
    }
  }
  if (pending !== SKIP) out[n++] = pending === BREAK ? 10 : 32
  return n
}

// A run of leet characters is mapped up to three characters from a letter on either side: what
// unLeet's three passes reach. Letters are judged unaccented, as unLeet sees them.
const isLetterAt = (codes: Codes, i: number, end: number): boolean => {
  if (i < 0 || i >= end) return false
  const p = FAST.phrase[codes[i] as number] as number
  return p >= 97 && p <= 122
}

/** Copies the leet run of the base codes at `start` to `at`; returns the run's end. */
const copyLeetRun = (codes: Codes, baseEnd: number, start: number, at: number): number => {
  const { leet } = FAST
  let end = start
  while (end < baseEnd && (codes[end] as number) < 128 && leet[codes[end] as number] !== 0) end++
  const isLeftLetter = isLetterAt(codes, start - 1, baseEnd)
  const isRightLetter = isLetterAt(codes, end, baseEnd)
  let n = at
  for (let j = start; j < end; j++) {
    const c = codes[j] as number
    codes[n++] =
      (isLeftLetter && j - start < 3) || (isRightLetter && end - 1 - j < 3) ? (leet[c] as number) : c
  }
  return end
}

/**
 * Writes the phrase view after the base codes (which end at `baseEnd`; it starts at `at`), as the
 * slow path's replaces make it: unaccented, leetspeak undone, emphasis marks dropped, line breaks
 * made spaces. Returns where it ends.
 */
const fastPhrase = (codes: Codes, baseEnd: number, at: number): number => {
  const { phrase } = FAST
  let n = at
  let i = 0
  while (i < baseEnd) {
    const p = phrase[codes[i] as number] as number
    if (p > LEET_MARK) {
      codes[n++] = p
      i++
    } else if (p === LEET_MARK) {
      const end = copyLeetRun(codes, baseEnd, i, n)
      n += end - i
      i = end
    } else {
      i++
    }
  }
  return n
}

const fastViews = (text: string, codes: Codes): InjectionText | number => {
  const baseEnd = fastBase(text, codes)
  if (baseEnd < 0) return baseEnd
  const phraseEnd = fastPhrase(codes, baseEnd, text.length)
  return {
    base: toText(codes, 0, baseEnd),
    phrase: toText(codes, text.length, phraseEnd),
    phraseCodes: codes.subarray(text.length, phraseEnd),
    invisibleCount: 0,
    tagText: '',
  }
}

/** The fast path, or undefined where the text has a character it does not handle. */
const normaliseFast = (text: string): InjectionText | undefined => {
  // Base and phrase views are at most as long as the text: both fit in twice its length.
  let views = fastViews(text, new Uint8Array(text.length * 2))
  if (views === WIDE) views = fastViews(text, new Uint16Array(text.length * 2))
  return typeof views === 'number' ? undefined : views
}

/**
 * Normalises a text before matching: NFKC folds full-width and styled letters, lower-casing and blank
 * collapsing make phrases comparable, and the phrase view undoes the usual disguises (accents,
 * homoglyphs, leetspeak, markdown emphasis splitting a word). Text without
 * characters that need a Unicode step takes a fast path.
 */
export const normaliseInjectionText = (text: string): InjectionText =>
  normaliseFast(text) ?? normaliseInjectionTextSlowly(text)

/** The reference path, every step a replace over the whole text: the fast path must equal it. */
export const normaliseInjectionTextSlowly = (text: string): InjectionText => {
  let invisibleCount = 0
  let tagText = ''
  let folded = text
  const isAscii = !NON_ASCII.test(text)
  if (!isAscii) {
    folded = text.normalize('NFKC')
    if (HAS_INVISIBLE.test(folded)) {
      invisibleCount = countInvisible(text)
      folded = folded.replace(INVISIBLE, '')
    }
    if (folded.includes('\udb40')) {
      tagText = decodeTags(text)
      folded = folded.replace(TAG, '')
    }
  }
  const base = collapseBlanks(folded.toLowerCase())
  let phrase = base
  if (!isAscii) {
    phrase = phrase.replace(ACCENTED, (c) => UNACCENTED.get(c) ?? c)
    phrase = phrase.replace(LOOKALIKES, (c) => LOOKALIKE[c] ?? c)
  }
  phrase = unLeet(phrase)
  if (HAS_EMPHASIS.test(phrase)) phrase = phrase.replace(EMPHASIS, '')
  phrase = phrase.replaceAll('\n', ' ')
  return { base, phrase, invisibleCount, tagText }
}
