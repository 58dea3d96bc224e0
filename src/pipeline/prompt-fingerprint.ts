import type { ChatBody, ChatMessage } from '../providers/types.js'
import { LANE_A_SEED, LANE_B_SEED, stepLaneA, stepLaneB } from './hash-lanes.js'

/**
 * The last user message and the model, normalised as the loop guard compares prompts: lower-cased,
 * digits zeroed, every run of whitespace one space, trimmed (so timestamps and counters do not
 * hide a loop). Undefined when there is no user text.
 *
 * A 64-bit hash in two lanes (`hash-lanes.ts`), fed while the text is normalised, so no
 * intermediate string is built: it runs on every chat request. It keys a per-key
 * counter and guards nothing else, so a collision would at worst merge two prompts of one key.
 */
export function promptFingerprint(body: ChatBody): string | undefined {
  const last = body.messages.findLast((m) => m.role === 'user')
  if (!last) return undefined
  const text = userText(last.content).toLowerCase()
  // The model, a NUL, then the normalised text.
  let a = LANE_A_SEED
  let b = LANE_B_SEED
  const prefix = `${body.model}\0`
  for (let i = 0; i < prefix.length; i++) {
    a = stepLaneA(a, prefix.charCodeAt(i))
    b = stepLaneB(b, prefix.charCodeAt(i))
  }
  let hasText = false
  let isSpacePending = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (isWhitespace(c)) {
      isSpacePending = hasText
      continue
    }
    if (isSpacePending) {
      a = stepLaneA(a, 0x20)
      b = stepLaneB(b, 0x20)
      isSpacePending = false
    }
    hasText = true
    const unit = c >= 0x30 && c <= 0x39 ? 0x30 : c
    a = stepLaneA(a, unit)
    b = stepLaneB(b, unit)
  }
  if (!hasText) return undefined
  return hex(a) + hex(b)
}

function userText(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content.map((p) => ('text' in p && typeof p.text === 'string' ? p.text : '')).join(' ')
}

/** What `\s` matches in JavaScript (ECMA-262 WhiteSpace and LineTerminator). */
function isWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d)
  if (c < 0xa0) return false
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  )
}

function hex(lane: number): string {
  return (lane >>> 0).toString(16).padStart(8, '0')
}
