/**
 * The first word of every cue phrase the second pass looks for (birth words, name cues, street
 * types, password and key words), lower-cased: keep in step with the phrases in scan-builtins.ts. The scanner below only tries the full cue expression
 * where one of these starts a word: a large case-insensitive alternation tried at every position
 * was two thirds of the scan time (measured), a hash per word is a few instructions per character.
 */
export const CUE_HEADS: readonly string[] = (
  'born birth birthday birthdate date dob d né née naissance geboren geburtsdatum nacido nacida ' +
  'nacimiento nato nata nascita geboortedatum ' +
  'my name i je customer client patient kunde kundin cliente paziente nom ich me mi mijn dear cher ' +
  'chère liebe lieber estimado estimada gentile beste regards cordialement grüße saludos saluti ' +
  'groeten signed mr mrs ms dr m mme mlle monsieur madame herr frau sr sra sig signor signora dhr mevr ' +
  'rue avenue boulevard bd chemin chaussée allée impasse quai place route ' +
  'calle c avenida avda plaza paseo carrer via viale piazza piazzale corso largo ' +
  'street st road rd ave lane ln drive court way terrace close crescent square ' +
  'straße strasse str weg gasse platz allee ring damm straat laan gracht plein steeg kade dreef ' +
  'password passwd passphrase pwd mot passwort kennwort contraseña wachtwoord ' +
  'secret token api apikey access private auth'
).split(' ')

const MAX_HEAD = 16

// Latin-1 only: 0 for a non-letter, else the lower-case code (ASCII letters and À-þ without × ÷),
// looked up instead of computed: the loop below runs once per character of every prompt.
const LOWER = new Uint16Array(256)
for (let c = 0; c < 256; c++) {
  const isLetter =
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0xff && c !== 0xd7 && c !== 0xf7)
  if (isLetter) LOWER[c] = (c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0xde) ? c + 32 : c
}
const lower = (c: number): number => (c < 256 ? (LOWER[c] ?? 0) : 0)

const hashOf = (word: string): number => {
  let h = 0
  for (let i = 0; i < word.length; i++) h = (Math.imul(h, 31) + lower(word.charCodeAt(i))) | 0
  return h
}

export const createCueHeadSet = (): Set<number> => new Set(CUE_HEADS.map(hashOf))

/**
 * Calls `onWord(start, end)` for every word (a run of Latin-1 letters, also split where a camel-case
 * hump starts: "clientSecret") whose lower-cased form hashes like a cue head, and `onWordEnd(start,
 * end)` for every word, for checks on what follows it. Hash collisions are possible: the caller's
 * expression confirms.
 */
export const forEachCueWord = (
  text: string,
  heads: Set<number>,
  onWord: (start: number) => number,
  onWordEnd: (start: number, end: number) => void,
): void => {
  let i = 0
  const n = text.length
  while (i < n) {
    let l = lower(text.charCodeAt(i))
    if (l === 0) {
      i++
      continue
    }
    const start = i
    let h = 0
    let wasLower = false
    while (l !== 0) {
      const isUpper = l !== text.charCodeAt(i) && text.charCodeAt(i) < 128
      if (wasLower && isUpper) break
      wasLower = !isUpper
      if (i - start < MAX_HEAD) h = (Math.imul(h, 31) + l) | 0
      i++
      l = i < n ? lower(text.charCodeAt(i)) : 0
    }
    if (i - start <= MAX_HEAD && heads.has(h)) {
      const next = onWord(start)
      if (next > i) i = next
      continue
    }
    onWordEnd(start, i)
  }
}
