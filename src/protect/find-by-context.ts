import type { Finding } from './entity-types.js'
import { matchAt } from './match-at.js'

const MONTHS =
  'jan(?:uary|vier|uar|uari)?|feb(?:ruary|ruar|ruari|brero|braio)?|fév(?:rier)?|mar(?:ch|s|zo)?|märz|maart|apr(?:il|ile)?|avr(?:il)?|abr(?:il)?|ma[yi]|mai|mayo|maggio|mei|jun(?:e|i|io)?|juin|giugno|jul(?:y|i|io)?|juil(?:let)?|luglio|aug(?:ust|ustus)?|août|ago(?:sto)?|sep(?:t|tember|tembre|tiembre)?|set(?:tembre)?|oct(?:ober|obre|ubre)?|okt(?:ober)?|ott(?:obre)?|nov(?:ember|embre|iembre)?|dec(?:ember|embre)?|déc(?:embre)?|dez(?:ember)?|dic(?:iembre|embre)?'
const DATE = new RegExp(
  `\\b(?:\\d{1,2}[./-]\\d{1,2}[./-](?:19|20)?\\d{2}|(?:19|20)\\d{2}-\\d{2}-\\d{2}|\\d{1,2}(?:st|nd|rd|th|er|\\.)?\\s+(?:de\\s+)?(?:${MONTHS})\\.?\\s+(?:de\\s+)?(?:19|20)\\d{2}|(?:${MONTHS})\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+(?:19|20)\\d{2})\\b`,
  'i',
)

/** A date within 48 characters after a birth word ("born", "DOB", "né le", "geboren am" ...). */
export const findBirthDate = (text: string, from: number, out: Finding[]): number => {
  const window = text.slice(from, from + 48)
  const m = DATE.exec(window)
  if (!m) return from
  out.push({ type: 'dob', start: from + m.index, end: from + m.index + m[0].length })
  return from + m.index + m[0].length
}

const NAME_WORD = "[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+"
const PARTICLE = '(?:de|del|della|di|da|van|von|der|den|le|la|du|dos|y|ter|zu)'
const NAME_SOURCE = `((?:${NAME_WORD}|[A-Z]\\.)(?:[ \\t]+(?:${PARTICLE}[ \\t]+)?${NAME_WORD}){0,3})`
const NAME = new RegExp(`^\\s*[:,]?\\s*${NAME_SOURCE}`)
// After a title the name follows on the same line: "Monsieur,\nJe ..." is a salutation.
const NAME_AFTER_TITLE = new RegExp(`^[ \\t]*${NAME_SOURCE}`)
const NOT_NAMES = new Set(
  'The This That These Your Our My His Her Their A An Team Customer Client Patient Sir Madam All Support Service Admin User Users Thank Thanks Please Hello Hi Best Kind Regards Monsieur Madame Herr Frau Dear Mr Mrs Ms Dr Is Of And'.split(
    ' ',
  ),
)

/** One to four capitalised words after a name cue ("my name is", "Mr", "Dear", "Mme" ...). */
export const findPersonName = (text: string, from: number, isTitle: boolean, out: Finding[]): number => {
  const re = isTitle ? NAME_AFTER_TITLE : NAME
  const m = matchAt(re, text, from, 160)
  const name = m?.[1]
  if (!m || !name) return from
  const words = name.split(/[ \t]+/)
  while (words.length > 0 && NOT_NAMES.has(words[0] ?? '')) words.shift()
  if (words.length === 0) return from
  const kept = words.join(' ')
  const end = from + m[0].length
  const start = text.lastIndexOf(kept, end)
  if (start < from) return end
  out.push({ type: 'person', start, end: start + kept.length })
  return end
}

const CITY =
  "(?:,?\\s+(?:[A-Z]{1,2}-)?\\d{4,5}(?:\\s?[A-Z]{2})?\\s+[A-ZÀ-Þ][\\wÀ-ÿ'’-]+(?:[ -][A-ZÀ-Þ][\\wÀ-ÿ'’-]+)?)?"
const STREET_NAME = `(?:\\s+(?:(?:${PARTICLE}|des|dei|degli)\\s+|[ld]['’])*[A-ZÀ-Þ][\\wÀ-ÿ'’.-]*){1,4}`
// "12 rue de la Paix, 75002 Paris": number before the street word (FR, BE).
const NUMBER_BEFORE = /(\d{1,4}(?:\s?(?:bis|ter|[A-Za-z]))?,?\s+)$/
// "Calle Mayor 5", "Via Roma 10, 00184 Roma" (ES, IT) and "rue Haute 12" (BE).
const AFTER_STREET_WORD = new RegExp(`^${STREET_NAME},?\\s+\\d{1,4}[a-zA-Z]?\\b${CITY}`)
const FR_AFTER = new RegExp(`^${STREET_NAME}${CITY}`)
// "221B Baker Street", "1600 Pennsylvania Avenue NW, Washington, DC 20500" (US, UK).
const EN_BEFORE = /(\d{1,5}[A-Z]?\s+(?:[A-Z][a-z]+\s+){1,3})$/
const EN_AFTER =
  /^(?:\s+(?:NW|NE|SW|SE|N|S|E|W))?(?:,?\s+(?:Apt|Suite|Unit|Flat)\.?\s+\w+)?(?:,\s+[A-Z][a-z]+(?:\s[A-Z][a-z]+)?(?:,\s+[A-Z]{2})?(?:\s+\d{5}(?:-\d{4})?|\s+[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})?)?/
// "Hauptstraße 5, 10115 Berlin", "Keizersgracht 123, 1015 CJ Amsterdam" (DE, NL).
const COMPOUND_BEFORE = /([A-ZÄÖÜ][\wäöüß-]*)$/
const COMPOUND_AFTER = new RegExp(`^\\s+\\d{1,4}[a-zA-Z]?\\b${CITY}`)

export type StreetCue = 'fr' | 'es-it' | 'en' | 'compound'

/** An address around a street word; only addresses that name a street type are found. */
export const findAddress = (
  text: string,
  cueStart: number,
  cueEnd: number,
  cue: StreetCue,
  out: Finding[],
): number => {
  const head = text.slice(Math.max(0, cueStart - 60), cueStart)
  let start = cueStart
  let tail: RegExp
  if (cue === 'fr' || cue === 'en' || cue === 'compound') {
    const before = (cue === 'fr' ? NUMBER_BEFORE : cue === 'en' ? EN_BEFORE : COMPOUND_BEFORE).exec(head)
    if (!before && cue !== 'fr') return cueEnd
    if (before) start = cueStart - (before[1]?.length ?? 0)
    tail = cue === 'fr' ? (before ? FR_AFTER : AFTER_STREET_WORD) : cue === 'en' ? EN_AFTER : COMPOUND_AFTER
  } else {
    tail = AFTER_STREET_WORD
  }
  const m = matchAt(tail, text, cueEnd, 200)
  if (!m && cue !== 'en') return cueEnd
  let end = cueEnd + (m?.[0].length ?? 0)
  while (end > start && /[\s,.]/.test(text[end - 1] ?? '')) end--
  out.push({ type: 'address', start, end })
  return end
}
