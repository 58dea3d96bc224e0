import RE2 from 're2'
import { checksums } from './checksums.js'
import type { CustomRecogniserConfig, DetectConfig } from './detect-config.js'
import type { Finding } from './entity-types.js'

export type CustomScan = (text: string, out: Finding[]) => void

/** `s` as a literal inside an RE2 pattern. */
export const escapeRe2 = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')

// Context is looked for in a window around the match, lower-cased once per match (matches are rare).
const hasContext = (text: string, f: Finding, words: readonly string[], windowChars: number): boolean => {
  const around = text.slice(Math.max(0, f.start - windowChars), f.end + windowChars).toLowerCase()
  return words.some((w) => around.includes(w))
}

const compileOne = (c: CustomRecogniserConfig): CustomScan => {
  // RE2 runs in time linear in the input whatever the pattern: a user's `(a+)+$` cannot hang us.
  const re = new RE2(c.pattern, `g${c.flags}`)
  const validate = c.validator ? checksums[c.validator] : undefined
  const words = c.context?.words.map((w) => w.toLowerCase()) ?? []
  return (text, out) => {
    re.lastIndex = 0
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++
        continue
      }
      const f: Finding = { type: c.name, start: m.index, end: m.index + m[0].length, rule: c.name }
      // The validator sees capture group 1 when there is one: `M([0-9]{16})` checks the digits only.
      if (validate && !validate(m[1] ?? m[0])) continue
      const boosted = c.context ? hasContext(text, f, words, c.context.window_chars) : false
      if (c.context?.required && !boosted) continue
      f.score = boosted ? Math.min(1, c.score + 0.35) : c.score
      out.push(f)
    }
  }
}

/** Custom recognisers and the deny list, compiled once per detector with RE2. */
export const compileCustom = (config: DetectConfig): CustomScan[] => {
  const scans = config.custom.map(compileOne)
  const byType = new Map<string, string[]>()
  for (const { value, type } of config.deny) byType.set(type, [...(byType.get(type) ?? []), escapeRe2(value)])
  for (const [type, values] of byType) {
    scans.push(compileOne({ name: type, pattern: values.join('|'), flags: 'i', score: 1 }))
  }
  return scans
}
