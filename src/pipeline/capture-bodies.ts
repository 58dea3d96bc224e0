import type { BodyMode } from '../config/access-schema.js'
import { replaceTexts } from '../protect/collect-texts.js'
import type { Finding } from '../protect/entity-types.js'
import { transformText } from '../protect/pseudonymize-text.js'
import type { ChatBody, ChatMessage } from '../providers/types.js'
import type { BodyMeta, RequestLogRecord } from '../store/store.js'
import type { RequestContext } from './context.js'

/**
 * What the request log keeps of a call's prompt and answer, per the tenant's `bodies` mode:
 * nothing; metadata (counts, roles, sizes, tool names: never text); or the text, sealed with
 * AES-256-GCM under the request id. `redacted` seals the text with every value the detector found
 * masked (`[EMAIL]`), prompt and answer alike; `full` seals it as sent. Without `logging.body_keys`
 * (nothing to seal with) or, for `redacted`, with protection off, only metadata is kept: raw
 * personal data is never stored by default.
 */
export function captureBodies(
  ctx: RequestContext,
  answer: string,
): Pick<RequestLogRecord, 'bodyMeta' | 'bodies' | 'bodyKeyId'> {
  const mode: BodyMode =
    (ctx.tenant && ctx.runtime.tenant(ctx.tenant)?.bodies) || ctx.runtime.config.logging.bodies
  if (mode === 'none' || ctx.operation !== 'chat') return {}
  const body = ctx.body as ChatBody
  const tools = Array.isArray(body['tools'])
    ? (body['tools'] as Array<{ function?: { name?: string } }>).map((t) => t.function?.name ?? '?')
    : undefined
  const bodyMeta: BodyMeta = {
    messages: body.messages.length,
    roles: body.messages.map((m) => m.role),
    // Counted, not joined: metadata is kept for every request by default, after every answer.
    promptChars: body.messages.reduce((sum, m) => sum + textLength(m), Math.max(0, body.messages.length - 1)),
    answerChars: answer.length,
    ...(tools ? { tools } : {}),
  }
  const cipher = ctx.runtime.bodyCipher
  if (mode === 'metadata' || !cipher) return { bodyMeta }
  let text: { messages: ChatMessage[]; answer: string }
  if (mode === 'full') text = { messages: body.messages, answer }
  else {
    const protector = ctx.runtime.protect
    if (!protector || !ctx.protection) return { bodyMeta }
    const { slots, findings } = ctx.protection.scan
    const masked = slots.map((slot, i) => maskAll(slot.text, findings[i]!))
    const { messages } = replaceTexts(body, slots, masked)
    text = { messages, answer: maskAll(answer, protector.detector.scan(answer)) }
  }
  const sealed = cipher.seal(JSON.stringify(text), ctx.id)
  return { bodyMeta, bodies: sealed, bodyKeyId: cipher.activeKeyId }
}

function maskAll(text: string, findings: readonly Finding[]): string {
  return findings.length === 0 ? text : transformText(text, findings, () => 'mask', {}).text
}

/** Characters of a message's text (parts as if joined by one space). */
function textLength(message: ChatMessage): number {
  const { content } = message
  if (typeof content === 'string') return content.length
  if (!Array.isArray(content)) return 0
  let length = Math.max(0, content.length - 1)
  for (const p of content) if ('text' in p && typeof p.text === 'string') length += p.text.length
  return length
}
