/** Two views of one text for the injection rules, and what normalising removed. */
export interface InjectionText {
  /** NFKC, lower-case, invisible characters removed, blank runs collapsed; line breaks kept (markup rules). */
  base: string
  /** `base` without diacritics, look-alike letters, leetspeak, emphasis marks or line breaks (phrase rules). */
  phrase: string
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

/**
 * Normalises a text before matching: NFKC folds full-width and styled letters, lower-casing and blank
 * collapsing make phrases comparable, and the phrase view undoes the usual disguises (accents,
 * homoglyphs, leetspeak, markdown emphasis splitting a word). ASCII text skips the Unicode steps.
 */
export const normaliseInjectionText = (text: string): InjectionText => {
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
