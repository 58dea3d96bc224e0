import { placeholderLabel } from './placeholder-label.js'

/** A trie of issued placeholder cores (`EMAIL_1`), for matching one character at a time. */
export interface CoreNode {
  /** Children by upper-case ASCII char code. */
  readonly next: ReadonlyMap<number, CoreNode>
  /** The original value when the path from the root spells a whole issued core. */
  readonly value?: string
}

/**
 * The placeholders of one request and the values they stand for. Keep it for the request only:
 * it holds the personal data it was given.
 */
export interface PlaceholderVault {
  /** `[EMAIL_1]`: the same (type, value) gets the same placeholder; numbering is per type. */
  placeholderFor(type: string, value: string): string
  /**
   * Marks every core the text contains (`EMAIL_3`, `email_3`, also inside `MY_EMAIL_30`) as taken,
   * so it is never issued and restoration never rewrites what the caller wrote. Call it with every
   * text of the request before the first placeholderFor; calling it later throws.
   */
  reserve(text: string): void
  /** The value behind a core such as `EMAIL_1`, in any case; undefined for cores never issued. */
  valueFor(core: string): string | undefined
  /** Root of the trie of issued cores, upper-cased. */
  readonly cores: CoreNode
  /** Number of placeholders issued. */
  readonly size: number
  /** Length in chars of the longest placeholder issued, brackets included; 0 when none. */
  readonly longestPlaceholder: number
}

export interface PlaceholderVaultOptions {
  /** Bounds the memory a single request can pin; placeholderFor throws past it. */
  maxEntries?: number
}

interface MutableNode {
  next: Map<number, MutableNode>
  value?: string
}

// Taken cores are indexed by where they could occur: a `_<digits>` with word chars before it. Only
// the last LEFT_CHARS word chars are kept (labels longer than that are compared on their tail, which
// can only skip more numbers), so a long run like a base64url blob costs linear memory.
const LEFT_CHARS = 64
const NUMBER_DIGITS = 16
const isWordChar = (ch: string | undefined): boolean => ch !== undefined && /[A-Za-z0-9_]/.test(ch)

// Adds, for each `_<digits>` in the text, the word chars before it under every prefix of its digits:
// the core `L_n` occurs in the text iff some entry under `n` ends with `L`.
const indexTaken = (text: string, taken: Map<string, Set<string>>): void => {
  for (const match of text.matchAll(/_[0-9]+/g)) {
    let from = match.index
    while (from > 0 && match.index - from < LEFT_CHARS && isWordChar(text[from - 1])) from--
    if (from === match.index) continue
    const left = text.slice(from, match.index).toUpperCase()
    const digits = match[0].slice(1)
    for (let k = 1; k <= Math.min(digits.length, NUMBER_DIGITS); k++) {
      const number = digits.slice(0, k)
      const lefts = taken.get(number) ?? new Set<string>()
      lefts.add(left)
      taken.set(number, lefts)
    }
  }
}

const isTaken = (taken: Map<string, Set<string>>, label: string, n: number): boolean => {
  const lefts = taken.get(String(n))
  if (lefts === undefined) return false
  const tail = label.slice(-LEFT_CHARS)
  for (const left of lefts) if (left.endsWith(tail)) return true
  return false
}

const insert = (root: MutableNode, core: string, value: string): void => {
  let node = root
  for (let i = 0; i < core.length; i++) {
    const code = core.charCodeAt(i)
    let child = node.next.get(code)
    if (child === undefined) {
      child = { next: new Map() }
      node.next.set(code, child)
    }
    node = child
  }
  node.value = value
}

/**
 * A request-scoped vault. Placeholders are unambiguous:
 * - a core that occurs in a reserved text, in any case, is never issued: `EMAIL_1` written by the
 *   caller makes the first email `[EMAIL_2]`. That holds even inside a longer word (`MY_EMAIL_10`
 *   takes `EMAIL_1` and `EMAIL_10`), because a finding may cut a word and leave the core standing
 *   alone next to its placeholder. Skipping a number costs nothing but a gap in the numbering;
 * - a core is a label, `_` and a number, and labels never end in `_<digits>`, so two labels never
 *   issue the same core and no mask or hash (`[EMAIL]`, `[EMAIL:…]`) reads as one.
 * So restoreText(transformText(text)) touches the placeholders and nothing the caller wrote.
 */
export const createPlaceholderVault = (opts: PlaceholderVaultOptions = {}): PlaceholderVault => {
  const { maxEntries = 100_000 } = opts
  const taken = new Map<string, Set<string>>()
  const lastNumber = new Map<string, number>()
  const placeholders = new Map<string, string>()
  const values = new Map<string, string>()
  let root: MutableNode | undefined
  let longest = 0

  return {
    placeholderFor(type, value) {
      const label = placeholderLabel(type)
      // A label never contains NUL, so the key is unambiguous.
      const key = `${label}\u0000${value}`
      const known = placeholders.get(key)
      if (known !== undefined) return known
      if (values.size >= maxEntries) {
        throw new RangeError(`placeholder vault is full (${maxEntries} entries); raise maxEntries`)
      }
      let n = (lastNumber.get(label) ?? 0) + 1
      while (isTaken(taken, label, n)) n++
      lastNumber.set(label, n)
      const core = `${label}_${n}`
      const placeholder = `[${core}]`
      values.set(core, value)
      placeholders.set(key, placeholder)
      // The trie serves stream restoration only: built when first asked for, then kept up to date.
      if (root !== undefined) insert(root, core, value)
      longest = Math.max(longest, placeholder.length)
      return placeholder
    },
    reserve(text) {
      if (values.size > 0) {
        throw new Error('reserve() must see every request text before the first placeholderFor()')
      }
      indexTaken(text, taken)
    },
    valueFor(core) {
      return values.get(core.toUpperCase())
    },
    get cores() {
      if (root === undefined) {
        root = { next: new Map() }
        for (const [core, value] of values) insert(root, core, value)
      }
      return root
    },
    get size() {
      return values.size
    },
    get longestPlaceholder() {
      return longest
    },
  }
}
