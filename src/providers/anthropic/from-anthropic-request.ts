import { GatewayError } from '../../errors.js'
import type { ChatBody, ChatMessage, ContentPart, ToolCall } from '../types.js'

/**
 * The /v1/messages surface: an Anthropic Messages request (https://docs.anthropic.com/en/api/messages)
 * as the canonical chat body, or a 400 that names the field in Anthropic's terms. Tool ids are kept
 * as they are, so a `tool_use` id the caller saw comes back as the same `tool_call_id`.
 * `cache_control` marks are accepted and removed: they tune Anthropic's prompt cache, not the answer.
 */

type Json = Record<string, unknown>

const KNOWN = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'metadata',
  'output_config',
  // Prompt-cache marks (top level, and on blocks): they change cost, not the answer.
  'cache_control',
])

export function fromAnthropicRequest(raw: unknown): ChatBody {
  const body = object(raw, '')
  for (const key of Object.keys(body)) {
    if (!KNOWN.has(key) && body[key] !== undefined && body[key] !== null)
      unsupported(`the "${key}" parameter`, key)
  }
  const model = body['model']
  if (typeof model !== 'string' || model === '') fail('model', 'is required')
  const maxTokens = body['max_tokens']
  if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1) fail('max_tokens', 'must be an integer >= 1')
  const out: ChatBody = {
    model,
    messages: [...systemMessages(body['system']), ...messages(body['messages'])],
  }
  out['max_tokens'] = maxTokens
  sampling(body, out)
  const stop = body['stop_sequences']
  if (stop !== undefined) {
    if (!Array.isArray(stop) || !stop.every((s) => typeof s === 'string'))
      fail('stop_sequences', 'must be an array of strings')
    if (stop.length > 0) out['stop'] = stop
  }
  const user = (body['metadata'] as { user_id?: unknown } | undefined)?.user_id
  if (typeof user === 'string') out['user'] = user
  tools(body, out)
  outputFormat(body['output_config'], out)
  if (body['stream'] === true) {
    out.stream = true
    // The stream's last event carries usage, so ask every target for it.
    out.stream_options = { include_usage: true }
  }
  return out
}

function sampling(body: Json, out: ChatBody): void {
  for (const [key, max] of [
    ['temperature', 1],
    ['top_p', 1],
  ] as const) {
    const value = body[key]
    if (value === undefined) continue
    if (typeof value !== 'number' || !(value >= 0 && value <= max))
      fail(key, `must be a number from 0 to ${max}`)
    out[key] = value
  }
  const topK = body['top_k']
  if (topK !== undefined) {
    if (!Number.isInteger(topK) || (topK as number) < 0) fail('top_k', 'must be an integer >= 0')
    // Not an OpenAI parameter: passes through to servers that know it (vLLM) and back to Anthropic.
    out['top_k'] = topK
  }
}

function systemMessages(system: unknown): ChatMessage[] {
  if (system === undefined || system === null || system === '') return []
  if (typeof system === 'string') return [{ role: 'system', content: system }]
  if (!Array.isArray(system)) fail('system', 'must be a string or an array of text blocks')
  const text = system.map((block, i) => {
    const b = object(block, `system[${i}]`)
    if (b['type'] !== 'text' || typeof b['text'] !== 'string') fail(`system[${i}]`, 'must be a text block')
    return b['text'] as string
  })
  return [{ role: 'system', content: text.map((t) => ({ type: 'text', text: t })) }]
}

function messages(raw: unknown): ChatMessage[] {
  if (!Array.isArray(raw) || raw.length === 0) fail('messages', 'must be a non-empty array of messages')
  const out: ChatMessage[] = []
  raw.forEach((entry, i) => {
    const message = object(entry, `messages[${i}]`)
    const role = message['role']
    const content = message['content']
    const path = `messages[${i}].content`
    if (role !== 'user' && role !== 'assistant') fail(`messages[${i}].role`, 'must be "user" or "assistant"')
    if (typeof content === 'string') {
      out.push({ role, content })
      return
    }
    if (!Array.isArray(content)) fail(path, 'must be a string or an array of content blocks')
    const blocks = content.map((b, j) => object(b, `${path}[${j}]`))
    if (role === 'user') out.push(...userMessages(blocks, path))
    else out.push(assistantMessage(blocks, path))
  })
  return out
}

/** Tool results become `tool` messages, placed before the rest of the turn as Anthropic orders them. */
function userMessages(blocks: Json[], path: string): ChatMessage[] {
  const tools: ChatMessage[] = []
  const parts: ContentPart[] = []
  blocks.forEach((block, j) => {
    const where = `${path}[${j}]`
    if (block['type'] === 'tool_result') tools.push(toolMessage(block, where))
    else parts.push(userPart(block, where))
  })
  return parts.length > 0 ? [...tools, { role: 'user', content: parts }] : tools
}

function userPart(block: Json, path: string): ContentPart {
  if (block['type'] === 'text') return { type: 'text', text: text(block, path) }
  if (block['type'] === 'image') return { type: 'image_url', image_url: { url: imageUrl(block, path) } }
  return unsupported(`"${String(block['type'])}" content blocks`, `${path}.type`)
}

function imageUrl(block: Json, path: string): string {
  const source = object(block['source'], `${path}.source`)
  if (
    source['type'] === 'base64' &&
    typeof source['media_type'] === 'string' &&
    typeof source['data'] === 'string'
  ) {
    return `data:${source['media_type']};base64,${source['data']}`
  }
  if (source['type'] === 'url' && typeof source['url'] === 'string') return source['url']
  return fail(`${path}.source`, 'must be a base64 or url image source')
}

function toolMessage(block: Json, path: string): ChatMessage {
  const id = block['tool_use_id']
  if (typeof id !== 'string' || id === '') fail(`${path}.tool_use_id`, 'is required')
  let content = ''
  const raw = block['content']
  if (typeof raw === 'string') content = raw
  else if (Array.isArray(raw)) {
    content = raw
      .map((part, k) => {
        const p = object(part, `${path}.content[${k}]`)
        if (p['type'] !== 'text') unsupported('non-text tool results', `${path}.content[${k}].type`)
        return text(p, `${path}.content[${k}]`)
      })
      .join('\n')
  }
  // OpenAI's tool message has no error flag: say it in the text the model reads.
  if (block['is_error'] === true) content = `Error: ${content}`
  return { role: 'tool', tool_call_id: id, content }
}

function assistantMessage(blocks: Json[], path: string): ChatMessage {
  let content = ''
  const calls: ToolCall[] = []
  blocks.forEach((block, j) => {
    const where = `${path}[${j}]`
    if (block['type'] === 'text') content += text(block, where)
    else if (block['type'] === 'tool_use') {
      const { id, name, input } = block as { id?: unknown; name?: unknown; input?: unknown }
      if (typeof id !== 'string' || typeof name !== 'string')
        fail(where, 'a tool_use block needs an id and a name')
      calls.push({ id, type: 'function', function: { name, arguments: JSON.stringify(input ?? {}) } })
    } else unsupported(`"${String(block['type'])}" blocks in assistant turns`, `${where}.type`)
  })
  if (calls.length === 0) return { role: 'assistant', content }
  return { role: 'assistant', content: content === '' ? null : content, tool_calls: calls }
}

function tools(body: Json, out: ChatBody): void {
  const list = body['tools']
  if (list !== undefined) {
    if (!Array.isArray(list)) fail('tools', 'must be an array of tool definitions')
    out['tools'] = list.map((entry, i) => {
      const tool = object(entry, `tools[${i}]`)
      // Server tools (web search, code execution...) run inside Anthropic; no other target has them.
      if (tool['type'] !== undefined && tool['type'] !== 'custom')
        unsupported(`the "${String(tool['type'])}" tool`, `tools[${i}].type`)
      if (typeof tool['name'] !== 'string' || tool['name'] === '') fail(`tools[${i}].name`, 'is required')
      const schema = object(tool['input_schema'], `tools[${i}].input_schema`)
      const fn: Json = { name: tool['name'], parameters: schema }
      if (typeof tool['description'] === 'string') fn['description'] = tool['description']
      return { type: 'function', function: fn }
    })
  }
  const choice = body['tool_choice']
  if (choice === undefined || choice === null) return
  const c = object(choice, 'tool_choice')
  if (c['type'] === 'auto' || c['type'] === 'none') out['tool_choice'] = c['type']
  else if (c['type'] === 'any') out['tool_choice'] = 'required'
  else if (c['type'] === 'tool' && typeof c['name'] === 'string') {
    out['tool_choice'] = { type: 'function', function: { name: c['name'] } }
  } else fail('tool_choice', 'must be {"type": "auto" | "any" | "none"} or {"type": "tool", "name": ...}')
  // OpenAI accepts parallel_tool_calls only alongside tools.
  if (c['disable_parallel_tool_use'] === true && out['tools']) out['parallel_tool_calls'] = false
}

/** Structured output (`output_config.format`) is OpenAI's `response_format` json_schema. */
function outputFormat(raw: unknown, out: ChatBody): void {
  if (raw === undefined || raw === null) return
  const config = object(raw, 'output_config')
  for (const key of Object.keys(config)) {
    if (key !== 'format') unsupported(`the "output_config.${key}" parameter`, `output_config.${key}`)
  }
  if (config['format'] === undefined || config['format'] === null) return
  const format = object(config['format'], 'output_config.format')
  if (format['type'] !== 'json_schema') fail('output_config.format.type', 'must be "json_schema"')
  const schema = object(format['schema'], 'output_config.format.schema')
  out['response_format'] = { type: 'json_schema', json_schema: { name: 'output', schema } }
}

function text(block: Json, path: string): string {
  if (typeof block['text'] !== 'string') fail(`${path}.text`, 'must be a string')
  return block['text'] as string
}

function object(value: unknown, path: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    if (path === '') throw new GatewayError('bad_request', 'The request body must be a JSON object.')
    fail(path, 'must be an object')
  }
  return value as Json
}

function fail(param: string, problem: string): never {
  throw new GatewayError('bad_request', `Invalid request: '${param}' ${problem}.`, { param })
}

function unsupported(feature: string, param: string): never {
  throw new GatewayError(
    'unsupported_operation',
    `The gateway's /v1/messages does not support ${feature} ('${param}').`,
    {
      param,
    },
  )
}
