import { GatewayError } from '../../errors.js'
import type { ChatBody, ChatMessage, ContentPart, ToolCall } from '../types.js'
import { toGeminiSchema } from './to-gemini-schema.js'
import { readToolCallId } from './tool-call-id.js'

/*
 * OpenAI chat -> Gemini `GenerateContentRequest` (ai.google.dev/api/generate-content). System and
 * developer messages become `systemInstruction`; user/assistant become `user`/`model` contents;
 * tool results become `functionResponse` parts named after the call they answer (found by
 * `tool_call_id` in the assistant message that made it). Parameters Gemini has no place for are a
 * 400 naming them (unless the model's `drop_params` removes them first); `user` is not sent (no
 * equivalent; the gateway records it).
 */

export type Part = Record<string, unknown>
export interface Content {
  role: 'user' | 'model'
  parts: Part[]
}

const IGNORED = new Set(['model', 'messages', 'stream', 'stream_options', 'user'])

export function toGeminiRequest(body: ChatBody): Record<string, unknown> {
  const generationConfig: Record<string, unknown> = {}
  const request: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null || IGNORED.has(key)) continue
    const field = GENERATION_FIELDS[key]
    if (field) generationConfig[field] = value
    else if (key === 'max_tokens' || key === 'max_completion_tokens')
      generationConfig['maxOutputTokens'] = value
    else if (key === 'stop') generationConfig['stopSequences'] = typeof value === 'string' ? [value] : value
    else if (key === 'response_format') Object.assign(generationConfig, responseFormat(value))
    else if (key === 'tools') request['tools'] = tools(value)
    else if (key === 'tool_choice') request['toolConfig'] = toolChoice(value)
    else if (key === 'parallel_tool_calls' && value === true) continue
    else if (key === 'logprobs' && value === false) continue
    else throw unsupported(key, `the "${key}" parameter`)
  }
  const { system, contents } = toContents(body.messages)
  if (system.length > 0) request['systemInstruction'] = { parts: system }
  request['contents'] = contents
  if (Object.keys(generationConfig).length > 0) request['generationConfig'] = generationConfig
  return request
}

const GENERATION_FIELDS: Record<string, string> = {
  temperature: 'temperature',
  top_p: 'topP',
  seed: 'seed',
  n: 'candidateCount',
  presence_penalty: 'presencePenalty',
  frequency_penalty: 'frequencyPenalty',
}

function responseFormat(value: unknown): Record<string, unknown> {
  const format = value as { type?: string; json_schema?: { schema?: unknown } }
  if (format.type === 'text') return {}
  if (format.type === 'json_object') return { responseMimeType: 'application/json' }
  if (format.type === 'json_schema') {
    const schema = format.json_schema?.schema
    return {
      responseMimeType: 'application/json',
      ...(schema === undefined
        ? {}
        : { responseSchema: toGeminiSchema(schema, 'response_format.json_schema.schema') }),
    }
  }
  throw unsupported('response_format', `response_format type "${String(format.type)}"`)
}

function tools(value: unknown): unknown[] {
  const declarations = (value as Array<{ type?: string; function?: Record<string, unknown> }>).map(
    (tool, i) => {
      if (tool.type !== 'function' || !tool.function)
        throw unsupported(`tools[${i}]`, `tools of type "${tool.type}"`)
      const { name, description, parameters } = tool.function
      const hasParameters =
        parameters !== undefined &&
        Object.keys((parameters as { properties?: object }).properties ?? {}).length > 0
      return {
        name,
        ...(description === undefined ? {} : { description }),
        // An object schema without properties is refused by Gemini: a function without parameters.
        ...(hasParameters
          ? { parameters: toGeminiSchema(parameters, `tools[${i}].function.parameters`) }
          : {}),
      }
    },
  )
  return [{ functionDeclarations: declarations }]
}

/** ai.google.dev/api/caching#FunctionCallingConfig: AUTO, ANY (optionally some functions), NONE. */
function toolChoice(value: unknown): Record<string, unknown> {
  if (value === 'auto') return { functionCallingConfig: { mode: 'AUTO' } }
  if (value === 'none') return { functionCallingConfig: { mode: 'NONE' } }
  if (value === 'required') return { functionCallingConfig: { mode: 'ANY' } }
  const name = (value as { function?: { name?: unknown } }).function?.name
  if (typeof name === 'string') {
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } }
  }
  throw unsupported('tool_choice', 'this tool_choice')
}

function toContents(messages: ChatMessage[]): { system: Part[]; contents: Content[] } {
  const system: Part[] = []
  const contents: Content[] = []
  const push = (role: Content['role'], parts: Part[]) => {
    if (parts.length === 0) return
    const last = contents.at(-1)
    // Gemini wants turns to alternate: adjacent messages of one role (several tool results,
    // a tool result then a user message) share one content.
    if (last?.role === role) last.parts.push(...parts)
    else contents.push({ role, parts })
  }
  messages.forEach((message, i) => {
    const where = `messages[${i}]`
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textParts(message.content, where))
        break
      case 'user':
        push('user', userParts(message.content, where))
        break
      case 'assistant':
        push('model', [...textParts(message.content, where), ...functionCalls(message.tool_calls ?? [])])
        break
      case 'tool':
        push('user', [functionResponse(message, messages.slice(0, i), where)])
        break
      default:
        throw unsupported(`${where}.role`, `messages with role "${message.role}"`)
    }
  })
  return { system, contents }
}

function textParts(content: ChatMessage['content'], where: string): Part[] {
  if (content === undefined || content === null || content === '') return []
  if (typeof content === 'string') return [{ text: content }]
  return content.map((part, j) => {
    if (part.type !== 'text')
      throw unsupported(`${where}.content[${j}]`, `"${part.type}" parts in this message`)
    return { text: (part as { text: string }).text }
  })
}

function userParts(content: ChatMessage['content'], where: string): Part[] {
  if (!Array.isArray(content)) return textParts(content, where)
  return content.map((part: ContentPart, j) => {
    if (part.type === 'text') return { text: (part as { text: string }).text }
    if (part.type === 'image_url')
      return imagePart((part as { image_url: { url: string } }).image_url.url, `${where}.content[${j}]`)
    throw unsupported(`${where}.content[${j}]`, `"${part.type}" content parts`)
  })
}

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
}

/** Data URLs go inline; other URLs as `fileData`, whose MIME type Gemini requires: from the extension. */
function imagePart(url: string, where: string): Part {
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url)
  if (data) return { inlineData: { mimeType: data[1], data: data[2] } }
  if (!/^(https?|gs):\/\//.test(url)) throw unsupported(where, 'image URLs other than data:, http(s): or gs:')
  const extension = /\.([A-Za-z0-9]+)(?:[?#]|$)/.exec(new URL(url).pathname)?.[1]?.toLowerCase()
  const mimeType = extension ? IMAGE_TYPES[extension] : undefined
  if (!mimeType) {
    throw unsupported(
      where,
      'an image URL without a .png/.jpg/.jpeg/.webp/.heic/.heif extension (send it as a data: URL)',
    )
  }
  return { fileData: { mimeType, fileUri: url } }
}

/**
 * Gemini 3 refuses a step whose first function call lacks its thought signature (only the first
 * of parallel calls carries one). Calls made by another model, or whose id lost the signature,
 * get the placeholder Google documents for that case (ai.google.dev/gemini-api/docs/
 * thought-signatures, FAQ); older models ignore it.
 */
const SKIP_SIGNATURE = 'skip_thought_signature_validator'

function functionCalls(calls: ToolCall[]): Part[] {
  const parts = calls.map(functionCall)
  if (parts[0] && parts[0]['thoughtSignature'] === undefined) parts[0]['thoughtSignature'] = SKIP_SIGNATURE
  return parts
}

function functionCall(call: ToolCall): Part {
  let args: unknown
  try {
    args = call.function.arguments === '' ? {} : JSON.parse(call.function.arguments)
  } catch {
    throw new GatewayError('bad_request', `Tool call ${call.id} has arguments that are not JSON.`, {
      param: 'messages',
    })
  }
  const { signature } = readToolCallId(call.id)
  return {
    functionCall: { name: call.function.name, args },
    ...(signature ? { thoughtSignature: signature } : {}),
  }
}

/** FunctionResponse.response is a JSON object: an object result as is, anything else as `output`. */
function functionResponse(message: ChatMessage, before: ChatMessage[], where: string): Part {
  const name = callName(message.tool_call_id, before)
  if (name === undefined) {
    throw new GatewayError(
      'bad_request',
      `${where}.tool_call_id "${String(message.tool_call_id)}" matches no tool call of an earlier assistant message.`,
      { param: `${where}.tool_call_id` },
    )
  }
  const text = textParts(message.content, where)
    .map((p) => p['text'])
    .join('')
  let response: unknown
  try {
    response = JSON.parse(text)
  } catch {
    response = text
  }
  const isObject = response !== null && typeof response === 'object' && !Array.isArray(response)
  return { functionResponse: { name, response: isObject ? response : { output: response } } }
}

function callName(id: unknown, before: ChatMessage[]): string | undefined {
  for (let i = before.length - 1; i >= 0; i--) {
    const call = before[i]!.tool_calls?.find((c) => c.id === id)
    if (call) return call.function.name
  }
  return undefined
}

function unsupported(param: string, what: string): GatewayError {
  return new GatewayError('unsupported_operation', `Gemini does not support ${what}.`, { param })
}
