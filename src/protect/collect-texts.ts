import type { ChatBody, ChatMessage, ContentPart, EmbeddingsBody } from '../providers/types.js'

/**
 * Who wrote a text: the application (`system`), the caller's user, the model earlier in the
 * conversation (`assistant`), or a tool or retrieval system (`context`, where indirect injection
 * hides).
 */
export type TextSource = 'system' | 'user' | 'assistant' | 'context'

/** One text of a request and where it sits, so a transformed copy of the body can be made. */
export interface TextSlot {
  source: TextSource
  text: string
  message: number
  /** Index in a content array; -1 for string content. */
  part: number
  /** Index of a tool call whose arguments this is; -1 otherwise. */
  toolCall: number
}

const SOURCE: Record<string, TextSource> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
  tool: 'context',
  function: 'context',
}

/** Every text of a chat or embeddings body that is sent to a provider: content, text parts, tool arguments. */
export function collectTexts(body: ChatBody | EmbeddingsBody): TextSlot[] {
  const slots: TextSlot[] = []
  if (!('messages' in body)) {
    const { input } = body as EmbeddingsBody
    const items = Array.isArray(input) ? input : [input]
    items.forEach((item, i) => {
      if (typeof item === 'string')
        slots.push({ source: 'user', text: item, message: i, part: -1, toolCall: -1 })
    })
    return slots
  }
  ;(body as ChatBody).messages.forEach((message, m) => {
    const source = SOURCE[message.role] ?? 'user'
    const { content } = message
    if (typeof content === 'string') {
      slots.push({ source, text: content, message: m, part: -1, toolCall: -1 })
    } else if (Array.isArray(content)) {
      content.forEach((part, p) => {
        if (part.type === 'text' && typeof part.text === 'string') {
          slots.push({ source, text: part.text, message: m, part: p, toolCall: -1 })
        }
      })
    }
    message.tool_calls?.forEach((call, c) => {
      const args = call?.function?.arguments
      if (typeof args === 'string') slots.push({ source, text: args, message: m, part: -1, toolCall: c })
    })
  })
  return slots
}

/**
 * A copy of `body` with `texts[i]` in place of `slots[i]` where it differs. Copy-on-write: the
 * caller's body stays as sent (a fallback to a more trusted target needs the original), and only
 * the messages that change are copied.
 */
export function replaceTexts<T extends ChatBody | EmbeddingsBody>(
  body: T,
  slots: readonly TextSlot[],
  texts: readonly string[],
): T {
  if (!('messages' in body)) {
    const { input } = body as EmbeddingsBody
    if (!Array.isArray(input)) return { ...body, input: texts[0] ?? input }
    const next = [...input]
    slots.forEach((slot, i) => {
      next[slot.message] = texts[i]!
    })
    return { ...body, input: next }
  }
  const messages = [...(body as ChatBody).messages]
  const copied = new Set<number>()
  const own = (m: number): ChatMessage => {
    if (!copied.has(m)) {
      copied.add(m)
      const original = messages[m]!
      messages[m] = {
        ...original,
        ...(Array.isArray(original.content) ? { content: [...original.content] } : {}),
        ...(original.tool_calls ? { tool_calls: [...original.tool_calls] } : {}),
      }
    }
    return messages[m]!
  }
  slots.forEach((slot, i) => {
    const text = texts[i]!
    if (text === slot.text) return
    const message = own(slot.message)
    if (slot.toolCall >= 0) {
      const call = message.tool_calls![slot.toolCall]!
      message.tool_calls![slot.toolCall] = { ...call, function: { ...call.function, arguments: text } }
    } else if (slot.part >= 0) {
      const parts = message.content as ContentPart[]
      parts[slot.part] = { ...parts[slot.part]!, text } as ContentPart
    } else {
      message.content = text
    }
  })
  return { ...body, messages }
}
