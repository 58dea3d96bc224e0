import { AI_READER } from './injection-markup-rules.js'
import { alt } from './injection-rule.js'

const MAX_COMMENT_CHARS = 2000
// A comment is invisible on the rendered page: one that speaks to an AI or gives it orders is there
// for the model, not for the page's author ("<!-- TODO: fix layout -->" is neither).
const INSTRUCTIVE = new RegExp(
  `\\b(?:${alt(AI_READER)}|ignore|disregard|instructions?|prompt|you must|you should|tell the user|respond|reply|summari[sz]e|recommend)\\b`,
)

/**
 * Whether an HTML comment in `base` (lower-cased) addresses an AI. Comments are found with indexOf,
 * not an expression, so an unclosed "<!--" repeated a million times is still one linear pass.
 */
export const findInstructiveComment = (base: string): boolean => {
  let from = 0
  for (;;) {
    const open = base.indexOf('<!--', from)
    if (open < 0) return false
    const close = base.indexOf('-->', open + 4)
    // No later comment can close either.
    if (close < 0) return false
    if (close - open <= MAX_COMMENT_CHARS && INSTRUCTIVE.test(base.slice(open + 4, close))) return true
    from = close + 3
  }
}
