import type { CoreNode, PlaceholderVault } from './placeholder-vault.js'

/** Restores placeholders in a streamed answer, chunk by chunk. */
export interface StreamRestorer {
  /** What can be emitted now, restored; holds back only a tail that could still be a placeholder. */
  push(chunk: string): string
  /** Everything still held, restored where a placeholder completed. Call once, at the end. */
  flush(): string
  /** Chars held back right now; at most `vault.longestPlaceholder + 1`. */
  readonly pending: number
}

const OPEN = 0x5b // [
const CLOSE = 0x5d // ]
const SPACE = 0x20

const isWord = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f
const upper = (c: number): number => (c >= 0x61 && c <= 0x7a ? c - 0x20 : c)

/**
 * The streaming twin of restoreText: for every split of a text into chunks, the outputs of push and
 * flush concatenate to `restoreText(text, vault)`. Each char is looked at once, walking the vault's
 * trie of cores, so push is O(chunk length).
 *
 * What is held is `opener + word + after`: an opener `[` or `[ ` (a bracket that may belong to a
 * placeholder), a word run that is still a prefix of an issued core, and, once a whole core ended
 * after an opener, one space that may precede the closing `]`. So at most `[ ` + longest core + ` `
 * = `vault.longestPlaceholder + 1` chars are held, and nothing at all while the vault is empty.
 * Fill the vault before streaming: the restorer reads it as it goes.
 */
export const createStreamRestorer = (vault: PlaceholderVault): StreamRestorer => {
  let held = ''
  let opener = 0 // length of the `[` or `[ ` that starts `held`
  let node: CoreNode | undefined // the word part of `held` in the trie, while it is a prefix of a core
  let matched: string | undefined // the value, once a whole core ended with a space after an opener
  let inWord = false // the previous char was a word char: a core can't start here

  const release = (): string => {
    const out = held
    held = ''
    opener = 0
    node = undefined
    matched = undefined
    return out
  }

  // The value of a core that ended without its closing bracket; the opener stays as text.
  const releaseUnclosed = (value: string): string => {
    const out = held.slice(0, opener) + value + held.slice(held.length - (matched === undefined ? 0 : 1))
    release()
    return out
  }

  const idle = (ch: string, c: number): string => {
    if (c === OPEN) {
      held = ch
      opener = 1
      inWord = false
      return ''
    }
    const word = isWord(c)
    const start = word && !inWord ? vault.cores.next.get(upper(c)) : undefined
    inWord = word
    if (start === undefined) return ch
    held = ch
    node = start
    return ''
  }

  const afterOpener = (ch: string, c: number): string => {
    if (c === SPACE && opener === 1) {
      held += ch
      opener = 2
      return ''
    }
    const start = isWord(c) ? vault.cores.next.get(upper(c)) : undefined
    if (start === undefined) return release() + idle(ch, c)
    held += ch
    node = start
    inWord = true
    return ''
  }

  const inCore = (current: CoreNode, ch: string, c: number): string => {
    if (isWord(c)) {
      const next = current.next.get(upper(c))
      if (next !== undefined) {
        held += ch
        node = next
        return ''
      }
      // The run goes on past every core: it is plain text, and so is the rest of it.
      return release() + ch
    }
    const value = current.value
    if (value === undefined) return release() + idle(ch, c)
    if (opener > 0 && c === CLOSE) {
      release()
      inWord = false
      return value
    }
    if (opener > 0 && c === SPACE) {
      held += ch
      node = undefined
      matched = value
      inWord = false
      return ''
    }
    return releaseUnclosed(value) + idle(ch, c)
  }

  const afterCore = (value: string, ch: string, c: number): string => {
    if (c === CLOSE) {
      release()
      return value
    }
    return releaseUnclosed(value) + idle(ch, c)
  }

  const feed = (ch: string, c: number): string => {
    if (held === '') return idle(ch, c)
    if (matched !== undefined) return afterCore(matched, ch, c)
    if (node !== undefined) return inCore(node, ch, c)
    return afterOpener(ch, c)
  }

  return {
    push(chunk) {
      if (held === '' && vault.size === 0) {
        // Nothing to restore: pass through untouched, but keep the word state for later chunks.
        if (chunk.length > 0) inWord = isWord(chunk.charCodeAt(chunk.length - 1))
        return chunk
      }
      let out = ''
      for (let i = 0; i < chunk.length; i++) out += feed(chunk[i]!, chunk.charCodeAt(i))
      return out
    },
    flush() {
      const value = matched ?? node?.value
      const out = value === undefined ? release() : releaseUnclosed(value)
      inWord = false
      return out
    },
    get pending() {
      return held.length
    },
  }
}
