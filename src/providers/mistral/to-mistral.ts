import { createHash } from 'node:crypto'
import { GatewayError } from '../../errors.js'
import type { ChatBody, ChatChunk, ChatCompletion, ChatMessage, EmbeddingsBody } from '../types.js'

/*
 * OpenAI chat <-> Mistral chat (docs.mistral.ai/api, "Chat Completion"). The two are close; the
 * differences handled here:
 * - `seed` is `random_seed`; `max_completion_tokens` is `max_tokens`; `tool_choice: "required"`
 *   is `"any"`;
 * - Mistral rejects unknown fields ("Extra inputs are not permitted"), so `stream_options` is not
 *   sent (its streams end with usage anyway) nor is `user` (no equivalent; the gateway records it);
 * - tool call ids must be 9 letters or digits: ids from other providers are mapped to such an id,
 *   the same one wherever the id appears, so calls and results still pair up;
 * - it has no log probabilities or logit bias: a clear 400 instead of a silent drop;
 * - streams put `usage` on the chunk with the finish reason: it is split into OpenAI's separate
 *   usage chunk; `model_length` (context window reached) is OpenAI's `length`; tool calls without a
 *   `type` get `"function"`.
 */

const UNSUPPORTED = ['logprobs', 'top_logprobs', 'logit_bias'] as const

export function toMistralChat(body: ChatBody): Record<string, unknown> {
  for (const param of UNSUPPORTED) {
    const value = body[param]
    if (value === undefined || value === null || value === false) continue
    throw new GatewayError('unsupported_operation', `Mistral does not support ${param}.`, { param })
  }
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || (UNSUPPORTED as readonly string[]).includes(key)) continue
    switch (key) {
      case 'stream_options':
      case 'user':
        break
      case 'seed':
        out['random_seed'] = value
        break
      case 'max_completion_tokens':
        out['max_tokens'] = value
        break
      case 'tool_choice':
        out['tool_choice'] = value === 'required' ? 'any' : value
        break
      case 'messages':
        out['messages'] = (value as ChatMessage[]).map(withMistralIds)
        break
      default:
        out[key] = value
    }
  }
  return out
}

const MISTRAL_ID = /^[A-Za-z0-9]{9}$/
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A 9-character id for a foreign tool call id: derived from it, so every mention maps the same. */
export function mistralToolCallId(id: string): string {
  if (MISTRAL_ID.test(id)) return id
  const digest = createHash('sha256').update(id).digest()
  let out = ''
  for (let i = 0; i < 9; i++) out += ALPHABET[digest[i]! % ALPHABET.length]
  return out
}

function withMistralIds(message: ChatMessage): ChatMessage {
  if (message.role === 'tool' && typeof message.tool_call_id === 'string') {
    return { ...message, tool_call_id: mistralToolCallId(message.tool_call_id) }
  }
  if (message.role === 'assistant' && Array.isArray(message.tool_calls)) {
    return {
      ...message,
      tool_calls: message.tool_calls.map((call) => ({ ...call, id: mistralToolCallId(call.id) })),
    }
  }
  return message
}

export function fromMistralCompletion(raw: ChatCompletion): ChatCompletion {
  for (const choice of raw.choices ?? []) {
    choice.finish_reason = finishReason(choice.finish_reason)
    if (Array.isArray(choice.message.content)) choice.message.content = answerText(choice.message.content)
    withFunctionType(choice.message.tool_calls)
  }
  return raw
}

/** A chunk with both a finish reason and usage becomes two: OpenAI's usage chunk has no choices. */
export function fromMistralChunk(raw: ChatChunk): ChatChunk | ChatChunk[] {
  for (const choice of raw.choices ?? []) {
    choice.finish_reason = finishReason(choice.finish_reason)
    if (Array.isArray(choice.delta.content)) choice.delta.content = answerText(choice.delta.content)
    withFunctionType(choice.delta.tool_calls)
  }
  if (!raw.usage || raw.choices.length === 0) return raw
  const { usage, ...rest } = raw
  return [rest as ChatChunk, { ...rest, choices: [], usage }]
}

/**
 * Reasoning models (Magistral) answer with content chunks: `{"type":"thinking","thinking":[...]}`
 * then `{"type":"text","text"}` (docs.mistral.ai, "Reasoning"). OpenAI's content is a string and
 * carries no reasoning, so the answer is the text chunks; the thinking is not passed on.
 */
function answerText(parts: unknown[]): string {
  return parts
    .filter((p): p is { type: 'text'; text: string } => (p as { type?: unknown })?.type === 'text')
    .map((p) => p.text)
    .join('')
}

/**
 * `type` is optional on Mistral's tool calls (docs.mistral.ai/api, ToolCall); OpenAI's always carry
 * it, and the official SDK's stream helper refuses a streamed call without it.
 */
function withFunctionType(calls: Array<{ type?: string | null }> | null | undefined): void {
  for (const call of calls ?? []) if (!call.type) call.type = 'function'
}

function finishReason(reason: string | null): string | null {
  return reason === 'model_length' ? 'length' : reason
}

/** OpenAI embeddings -> Mistral's (docs.mistral.ai/api, "Embeddings"): `dimensions` is `output_dimension`. */
export function toMistralEmbeddings(body: EmbeddingsBody): Record<string, unknown> {
  const { dimensions, encoding_format: _format, user: _user, ...rest } = body
  const isText =
    typeof body.input === 'string' ||
    (Array.isArray(body.input) && (body.input as unknown[]).every((s) => typeof s === 'string'))
  if (!isText) {
    throw new GatewayError('unsupported_operation', 'Mistral embeddings take text input, not token ids.', {
      param: 'input',
    })
  }
  // Floats are asked for and encoded here when the caller wants base64 (see encodeEmbeddingsBase64).
  return { ...rest, ...(dimensions === undefined ? {} : { output_dimension: dimensions }) }
}
