import type { PlaceholderVault } from './placeholder-vault.js'

const OPEN = '['
const CLOSE = ']'
const SPACE = ' '

// Where a bracket pair around the core [start, end) begins and ends, tight (`[EMAIL_1]`) preferred
// over one space inside (`[ EMAIL_1 ]`); undefined unless both sides have one.
const bracketsAround = (text: string, start: number, end: number): [number, number] | undefined => {
  const open =
    text[start - 1] === OPEN
      ? start - 1
      : text[start - 1] === SPACE && text[start - 2] === OPEN
        ? start - 2
        : -1
  if (open < 0) return undefined
  const close = text[end] === CLOSE ? end + 1 : text[end] === SPACE && text[end + 1] === CLOSE ? end + 2 : -1
  return close < 0 ? undefined : [open, close]
}

/**
 * Puts the vault's values back where a model wrote their placeholders. A core (`EMAIL_1`) is found
 * as a whole ASCII word run `[A-Za-z0-9_]+`, in any case, so `[email_1]`, `Email_1`, `**[EMAIL_1]**`,
 * `(EMAIL_1)` and `"EMAIL_1."` are restored while `MY_EMAIL_10` and cores never issued stay as
 * written. A bracket pair, each bracket tight or with one space inside, goes with the core; a lone
 * bracket stays. Values are inserted once: a value that looks like a placeholder is not rescanned.
 */
export const restoreText = (text: string, vault: PlaceholderVault): string => {
  // Every core is `LABEL_n`: without an underscore there is nothing to restore.
  if (vault.size === 0 || !text.includes('_')) return text
  let out = ''
  let last = 0
  for (const match of text.matchAll(/[A-Za-z0-9_]+/g)) {
    const value = vault.valueFor(match[0])
    if (value === undefined) continue
    let start = match.index
    let end = start + match[0].length
    const brackets = bracketsAround(text, start, end)
    // A bracket can't belong to the previous match too: that one only consumes `]` and `' ]'`.
    if (brackets !== undefined && brackets[0] >= last) [start, end] = brackets
    out += text.slice(last, start) + value
    last = end
  }
  return out + text.slice(last)
}
