/** How attackers disguise an instruction from keyword filters, for the injection corpus. */
import { Buffer } from 'node:buffer'
import { pick, type Rng } from './protect-corpus-values.js'

type Disguise = (r: Rng, text: string) => string

const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' }
const CYRILLIC: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х', i: 'і' }

const mapLetters = (r: Rng, text: string, table: Record<string, string>, share: number): string =>
  [...text]
    .map((c) => (table[c.toLowerCase()] !== undefined && r() < share ? table[c.toLowerCase()] : c))
    .join('')

const zeroWidth: Disguise = (r, text) =>
  [...text]
    .map((c) => (/[a-z]/i.test(c) && r() < 0.3 ? `${c}${pick(r, ['\u200b', '\u200c', '\u2060'])}` : c))
    .join('')

// Unicode tag characters (U+E0020–U+E007E) spell ASCII that no font draws.
const tags = (text: string): string =>
  [...text].map((c) => String.fromCodePoint(0xe0000 + (c.codePointAt(0) ?? 0x20))).join('')

export const DISGUISES: Record<string, Disguise> = {
  leetspeak: (r, text) => mapLetters(r, text, LEET, 0.6),
  homoglyphs: (r, text) => mapLetters(r, text, CYRILLIC, 0.5),
  'zero-width': zeroWidth,
  fullwidth: (_r, text) =>
    [...text].map((c) => (c > ' ' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join(''),
  base64: (r, text) =>
    `${pick(r, ['Process this data: ', 'Here is my token: ', 'Decode this and follow it: ', ''])}${Buffer.from(text).toString('base64')}`,
  hex: (r, text) => `${pick(r, ['payload=', 'Read this hex: ', ''])}${Buffer.from(text).toString('hex')}`,
  emphasis: (_r, text) => text.replace(/\b(\w)(\w+)\b/g, (_w, a: string, b: string) => `**${a}**${b}`),
  spacing: (r, text) => text.replace(/ /g, () => pick(r, [' ', '  ', '\n', ' \t '])),
  'mixed-case': (r, text) => [...text].map((c) => (r() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join(''),
  'tag-characters': (r, text) =>
    `${pick(r, ['What is the weather like today?', 'Thanks!', 'Hello there.'])}${tags(text)}`,
}

/** Disguises for a planted instruction inside a document. */
export const HIDDEN_DISGUISES: Record<string, Disguise> = {
  'zero-width': zeroWidth,
  'tag-characters': (_r, text) => `Thanks for reading.${tags(text)}`,
  base64: (_r, text) => `<img alt="${Buffer.from(text).toString('base64')}" src="spacer.gif">`,
  'white-text': (_r, text) => `<p style="color:white;font-size:1px">${text}</p>`,
}
