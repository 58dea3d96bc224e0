interface Node {
  children: Map<string, Node>
  isEnd: boolean
}

const escape = (ch: string): string => ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')

const emit = (node: Node): string => {
  const branches = [...node.children.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([ch, child]) => escape(ch) + emit(child))
  if (branches.length === 0) return ''
  const group = branches.length === 1 && !node.isEnd ? (branches[0] ?? '') : `(?:${branches.join('|')})`
  // Greedy `?` tries the longer words first, so "birthday" wins over "birth".
  return node.isEnd ? `${branches.length === 1 ? `(?:${branches[0]})` : group}?` : group
}

/**
 * A regular-expression source matching any of `words` literally, factored as a trie
 * ("b(?:irth(?:date|day)?|orn)"): a backtracking engine then tests one character per branch
 * instead of every word at every position. Measured: the factored source of our cue words scans
 * several times faster than the plain alternation.
 */
export const buildTrieSource = (words: readonly string[]): string => {
  const root: Node = { children: new Map(), isEnd: false }
  for (const word of words) {
    let node = root
    for (const ch of word) {
      let next = node.children.get(ch)
      if (!next) {
        next = { children: new Map(), isEnd: false }
        node.children.set(ch, next)
      }
      node = next
    }
    node.isEnd = true
  }
  return emit(root)
}
