import { digestSha256 } from '../digest-sha256.js'

/** Results computed from a text, kept by the text's SHA-256 so the text itself is never retained. */
export interface TextCache<T> {
  /** The key for `text`, or undefined when it is too short to be worth caching. */
  keyOf(text: string): string | undefined
  get(key: string | undefined): T | undefined
  set(key: string | undefined, value: T): void
}

export interface TextCacheOptions {
  maxEntries?: number
  /** Shorter texts are scanned faster than they are hashed. */
  minChars?: number
}

/**
 * A bounded, least-recently-used cache of per-text results (findings, verdicts). Conversations are
 * resent whole on every turn: without it, the twentieth turn of a chat scans the nineteen before it
 * again. Keys are SHA-256 digests: a collision, which would hand one text another's findings, is
 * out of reach, and no prompt text stays in memory after its request.
 */
export function createTextCache<T>(opts: TextCacheOptions = {}): TextCache<T> {
  const { maxEntries = 4096, minChars = 256 } = opts
  const entries = new Map<string, T>()
  return {
    keyOf: (text) => (text.length < minChars ? undefined : digestSha256(text, 'base64')),
    get(key) {
      if (key === undefined) return undefined
      const value = entries.get(key)
      if (value !== undefined) {
        // Most recently used last: Map keeps insertion order, so the first key is the oldest.
        entries.delete(key)
        entries.set(key, value)
      }
      return value
    },
    set(key, value) {
      if (key === undefined) return
      entries.delete(key)
      entries.set(key, value)
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
    },
  }
}
