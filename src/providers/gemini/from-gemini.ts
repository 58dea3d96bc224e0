import { UpstreamError } from '../../errors.js'
import type {
  ChatChoice,
  ChatChunk,
  ChatCompletion,
  ChunkChoice,
  ToolCall,
  ToolCallDelta,
  Usage,
} from '../types.js'
import { makeToolCallId } from './tool-call-id.js'

/*
 * Gemini `GenerateContentResponse` (ai.google.dev/api/generate-content#generatecontentresponse)
 * -> OpenAI chat completion or chunk. Each candidate is a choice; text parts are content, thought
 * parts (only sent when asked for, which the gateway never does) are skipped, `functionCall` parts
 * are tool calls with made-up ids (see tool-call-id.ts). Gemini sends a function call whole, so a
 * streamed call is one delta with its full arguments.
 */

interface GeminiPart {
  text?: string
  thought?: boolean
  thoughtSignature?: string
  functionCall?: { id?: string; name: string; args?: unknown }
}

interface GeminiCandidate {
  index?: number
  content?: { role?: string; parts?: GeminiPart[] }
  finishReason?: string
}

export interface GeminiResponse {
  candidates?: GeminiCandidate[]
  promptFeedback?: { blockReason?: string }
  usageMetadata?: {
    promptTokenCount?: number
    candidatesTokenCount?: number
    totalTokenCount?: number
    cachedContentTokenCount?: number
    thoughtsTokenCount?: number
  }
  modelVersion?: string
  responseId?: string
}

export interface ResponseMeta {
  id: string
  model: string
  created: number
}

export function fromGeminiResponse(raw: GeminiResponse, meta: ResponseMeta): ChatCompletion {
  throwIfBlocked(raw)
  const choices: ChatChoice[] = (raw.candidates ?? []).map((candidate, i) => {
    const { text, calls } = readParts(candidate.content?.parts ?? [], 0)
    return {
      index: candidate.index ?? i,
      message: {
        role: 'assistant',
        content: text === '' && calls.length > 0 ? null : text,
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
      },
      finish_reason: finishReason(candidate.finishReason, calls.length > 0),
      logprobs: null,
    }
  })
  return {
    id: raw.responseId ?? meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: raw.modelVersion ?? meta.model,
    choices,
    ...(raw.usageMetadata ? { usage: toUsage(raw.usageMetadata) } : {}),
  }
}

/**
 * Translates a stream event by event. Per choice it remembers whether the role went out and how
 * many tool calls it made (for indexes, ids and the finish reason); usage, which Gemini repeats
 * cumulatively on events, is kept and sent once at the end by `finish`.
 */
export function createGeminiStreamTranslator(meta: ResponseMeta) {
  const choices = new Map<number, { calls: number; finished: boolean }>()
  let usage: Usage | undefined
  let model = meta.model
  let id = meta.id
  const chunk = (choiceList: ChunkChoice[], extra: Partial<ChatChunk> = {}): ChatChunk => ({
    id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model,
    choices: choiceList,
    ...extra,
  })

  return {
    event(raw: GeminiResponse): ChatChunk | undefined {
      throwIfBlocked(raw)
      if (raw.usageMetadata) usage = toUsage(raw.usageMetadata)
      if (raw.modelVersion) model = raw.modelVersion
      if (raw.responseId) id = raw.responseId
      const out: ChunkChoice[] = []
      ;(raw.candidates ?? []).forEach((candidate, i) => {
        const index = candidate.index ?? i
        const isFirst = !choices.has(index)
        if (isFirst) choices.set(index, { calls: 0, finished: false })
        const state = choices.get(index)!
        const { text, calls } = readParts(candidate.content?.parts ?? [], state.calls)
        const toolDeltas: ToolCallDelta[] = calls.map((call, k) => ({ index: state.calls + k, ...call }))
        state.calls += calls.length
        const delta: ChunkChoice['delta'] = {
          ...(isFirst ? { role: 'assistant' } : {}),
          ...(text !== '' || (isFirst && calls.length === 0) ? { content: text } : {}),
          ...(toolDeltas.length > 0 ? { tool_calls: toolDeltas } : {}),
        }
        const finish = candidate.finishReason ? finishReason(candidate.finishReason, state.calls > 0) : null
        if (finish) state.finished = true
        if (Object.keys(delta).length > 0 || finish)
          out.push({ index, delta, logprobs: null, finish_reason: finish })
      })
      return out.length > 0 ? chunk(out) : undefined
    },

    /** The usage chunk, once the stream has ended; a cut stream (no finish reason) throws. */
    finish(): ChatChunk | undefined {
      if (choices.size === 0 || [...choices.values()].some((c) => !c.finished)) {
        throw new UpstreamError('stream_cut', 'Gemini closed the stream before it finished')
      }
      return usage ? chunk([], { usage }) : undefined
    },
  }
}

function readParts(parts: GeminiPart[], firstCall: number): { text: string; calls: ToolCall[] } {
  let text = ''
  const calls: ToolCall[] = []
  for (const part of parts) {
    if (part.thought) continue
    if (typeof part.text === 'string') text += part.text
    if (part.functionCall) {
      const { id, name, args } = part.functionCall
      calls.push({
        id: makeToolCallId(firstCall + calls.length, id, part.thoughtSignature),
        type: 'function',
        function: { name, arguments: JSON.stringify(args ?? {}) },
      })
    }
  }
  return { text, calls }
}

/** ai.google.dev/api/generate-content#FinishReason -> OpenAI's finish_reason. */
function finishReason(reason: string | undefined, hasCalls: boolean): string {
  switch (reason) {
    case 'MAX_TOKENS':
      return 'length'
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
      return 'content_filter'
    case 'MALFORMED_FUNCTION_CALL':
    case 'UNEXPECTED_TOOL_CALL':
      // A retry may well produce a valid call: invalid_response is retried by execute.
      throw new UpstreamError('invalid_response', `Gemini ended the answer with ${reason}`)
    default:
      return hasCalls ? 'tool_calls' : 'stop'
  }
}

/** A prompt Gemini refused outright: no candidates, `promptFeedback.blockReason` says why. */
function throwIfBlocked(raw: GeminiResponse): void {
  const reason = raw.promptFeedback?.blockReason
  if (reason && (raw.candidates ?? []).length === 0) {
    throw new UpstreamError('content_filter', `Gemini blocked the prompt (${reason})`)
  }
}

/** usageMetadata -> OpenAI usage; thinking tokens are output tokens, as OpenAI counts reasoning. */
export function toUsage(meta: NonNullable<GeminiResponse['usageMetadata']>): Usage {
  const prompt = meta.promptTokenCount ?? 0
  const completion = (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0)
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: meta.totalTokenCount ?? prompt + completion,
    ...(meta.cachedContentTokenCount === undefined
      ? {}
      : { prompt_tokens_details: { cached_tokens: meta.cachedContentTokenCount } }),
    ...(meta.thoughtsTokenCount === undefined
      ? {}
      : { completion_tokens_details: { reasoning_tokens: meta.thoughtsTokenCount } }),
  }
}
