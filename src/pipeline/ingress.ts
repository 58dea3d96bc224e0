import type { IncomingHttpHeaders } from 'node:http'
import type { SimulateConfig } from '../config/schema.js'
import { SENSITIVITIES, type Sensitivity, simulateSchema } from '../config/schema.js'
import { GatewayError } from '../errors.js'
import type { ChatBody, EmbeddingsBody } from '../providers/types.js'
import type { CallerMeta } from './context.js'

/**
 * Ingress: turn a caller's JSON into the canonical request, or a 400 that names the field. Only
 * the fields the gateway relies on are checked; everything else passes through for the provider
 * to judge, so new OpenAI parameters work without a gateway release.
 */

type Json = Record<string, unknown>

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function'])
const TOOL_CHOICES = new Set(['none', 'auto', 'required'])
const RESPONSE_FORMATS = new Set(['text', 'json_object', 'json_schema'])

export function parseChatBody(raw: unknown): ChatBody {
  const body = object(raw, '')
  string(body, 'model', { required: true })
  const messages = body['messages']
  if (!Array.isArray(messages) || messages.length === 0) {
    fail('messages', 'must be a non-empty array of messages')
  }
  for (const [i, message] of messages.entries()) checkMessage(message, `messages[${i}]`)

  optional(body, 'stream', 'boolean')
  const streamOptions = body['stream_options']
  if (streamOptions !== undefined && streamOptions !== null) {
    optional(object(streamOptions, 'stream_options'), 'include_usage', 'boolean', 'stream_options.')
  }
  integer(body, 'n', 1, 128)
  number(body, 'temperature', 0, 2)
  number(body, 'top_p', 0, 1)
  number(body, 'presence_penalty', -2, 2)
  number(body, 'frequency_penalty', -2, 2)
  integer(body, 'max_tokens', 1)
  integer(body, 'max_completion_tokens', 1)
  integer(body, 'seed')
  optional(body, 'logprobs', 'boolean')
  integer(body, 'top_logprobs', 0, 20)
  const stop = body['stop']
  if (stop !== undefined && stop !== null && typeof stop !== 'string') {
    if (!Array.isArray(stop) || !stop.every((s) => typeof s === 'string'))
      fail('stop', 'must be a string or an array of strings')
  }
  checkTools(body)
  const format = body['response_format']
  if (format !== undefined && format !== null) {
    const f = object(format, 'response_format')
    if (typeof f['type'] !== 'string' || !RESPONSE_FORMATS.has(f['type'])) {
      fail('response_format.type', 'must be one of text, json_object, json_schema')
    }
    if (f['type'] === 'json_schema') {
      const schema = object(f['json_schema'], 'response_format.json_schema')
      string(schema, 'name', { required: true, prefix: 'response_format.json_schema.' })
    }
  }
  return body as ChatBody
}

export function parseEmbeddingsBody(raw: unknown): EmbeddingsBody {
  const body = object(raw, '')
  string(body, 'model', { required: true })
  const input = body['input']
  const isTokens = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((t) => Number.isInteger(t))
  const valid =
    (typeof input === 'string' && input !== '') ||
    (Array.isArray(input) &&
      input.length > 0 &&
      (input.every((s) => typeof s === 'string' && s !== '') || isTokens(input) || input.every(isTokens)))
  if (!valid) fail('input', 'must be a non-empty string, an array of strings, or token arrays')
  const encoding = body['encoding_format']
  if (encoding !== undefined && encoding !== 'float' && encoding !== 'base64') {
    fail('encoding_format', 'must be "float" or "base64"')
  }
  integer(body, 'dimensions', 1)
  return body as EmbeddingsBody
}

function checkMessage(raw: unknown, path: string): void {
  const message = object(raw, path)
  const role = message['role']
  if (typeof role !== 'string' || !ROLES.has(role)) {
    fail(`${path}.role`, 'must be one of system, developer, user, assistant, tool')
  }
  const content = message['content']
  if (typeof content === 'string') {
    // fine
  } else if (Array.isArray(content)) {
    for (const [j, part] of content.entries()) checkPart(part, `${path}.content[${j}]`)
  } else if (content === null || content === undefined) {
    if (role !== 'assistant') fail(`${path}.content`, `is required for role "${role}"`)
  } else {
    fail(`${path}.content`, 'must be a string or an array of content parts')
  }
  if (role === 'tool') string(message, 'tool_call_id', { required: true, prefix: `${path}.` })
  const calls = message['tool_calls']
  if (calls !== undefined && calls !== null) {
    if (!Array.isArray(calls)) fail(`${path}.tool_calls`, 'must be an array')
    calls.forEach((call, k) => {
      const c = object(call, `${path}.tool_calls[${k}]`)
      string(c, 'id', { required: true, prefix: `${path}.tool_calls[${k}].` })
      const fn = object(c['function'], `${path}.tool_calls[${k}].function`)
      string(fn, 'name', { required: true, prefix: `${path}.tool_calls[${k}].function.` })
      string(fn, 'arguments', { required: true, prefix: `${path}.tool_calls[${k}].function.` })
    })
  }
}

function checkPart(raw: unknown, path: string): void {
  const part = object(raw, path)
  const type = part['type']
  if (typeof type !== 'string') fail(`${path}.type`, 'must be a string such as "text" or "image_url"')
  if (type === 'text') string(part, 'text', { required: true, prefix: `${path}.` })
  if (type === 'image_url') {
    const image = object(part['image_url'], `${path}.image_url`)
    string(image, 'url', { required: true, prefix: `${path}.image_url.` })
  }
}

function checkTools(body: Json): void {
  const tools = body['tools']
  if (tools !== undefined && tools !== null) {
    if (!Array.isArray(tools)) fail('tools', 'must be an array of tool definitions')
    tools.forEach((tool, i) => {
      const t = object(tool, `tools[${i}]`)
      if (t['type'] !== 'function') fail(`tools[${i}].type`, 'must be "function"')
      const fn = object(t['function'], `tools[${i}].function`)
      string(fn, 'name', { required: true, prefix: `tools[${i}].function.` })
    })
  }
  const choice = body['tool_choice']
  if (choice === undefined || choice === null) return
  if (typeof choice === 'string') {
    if (!TOOL_CHOICES.has(choice))
      fail('tool_choice', 'must be "none", "auto", "required" or a named function')
    return
  }
  const c = object(choice, 'tool_choice')
  const fn = object(c['function'], 'tool_choice.function')
  string(fn, 'name', { required: true, prefix: 'tool_choice.function.' })
}

function object(value: unknown, path: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    if (path === '') throw new GatewayError('bad_request', 'The request body must be a JSON object.')
    fail(path, 'must be an object')
  }
  return value as Json
}

function string(body: Json, key: string, opts: { required?: boolean; prefix?: string } = {}): void {
  const value = body[key]
  if (value === undefined && !opts.required) return
  if (typeof value !== 'string' || (opts.required && value === '')) {
    fail(`${opts.prefix ?? ''}${key}`, value === undefined ? 'is required' : 'must be a non-empty string')
  }
}

function optional(body: Json, key: string, type: 'boolean', prefix = ''): void {
  const value = body[key]
  if (value !== undefined && value !== null && typeof value !== type)
    fail(`${prefix}${key}`, `must be a ${type}`)
}

function number(body: Json, key: string, min: number, max: number): void {
  const value = body[key]
  if (value === undefined || value === null) return
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(key, `must be a number from ${min} to ${max}`)
  }
}

function integer(body: Json, key: string, min?: number, max?: number): void {
  const value = body[key]
  if (value === undefined || value === null) return
  const range = min === undefined ? '' : max === undefined ? ` >= ${min}` : ` from ${min} to ${max}`
  if (
    !Number.isInteger(value) ||
    (min !== undefined && (value as number) < min) ||
    (max !== undefined && (value as number) > max)
  ) {
    fail(key, `must be an integer${range}`)
  }
}

function fail(param: string, problem: string): never {
  throw new GatewayError('bad_request', `Invalid request: '${param}' ${problem}.`, { param })
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Keep a caller's request id when it is well-formed, so their logs and ours line up. */
export function requestIdFrom(header: string | string[] | undefined, generate: () => string): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : generate()
}

export function callerMetaFrom(headers: IncomingHttpHeaders): CallerMeta {
  const meta: CallerMeta = { metadata: {} }
  const read = (name: string): string | undefined => {
    const value = headers[name]
    return typeof value === 'string' && value !== '' ? value.slice(0, 256) : undefined
  }
  const user = read('x-gatehouse-user')
  if (user) meta.user = user
  const useCase = read('x-gatehouse-use-case')
  if (useCase) meta.useCase = useCase
  const sensitivity = read('x-gatehouse-sensitivity')
  if (sensitivity) {
    if (!(SENSITIVITIES as readonly string[]).includes(sensitivity)) {
      throw new GatewayError(
        'bad_request',
        `Invalid x-gatehouse-sensitivity: expected one of ${SENSITIVITIES.join(', ')}.`,
        {
          param: 'x-gatehouse-sensitivity',
        },
      )
    }
    meta.sensitivity = sensitivity as Sensitivity
  }
  const domain = read('x-gatehouse-domain')
  if (domain) meta.domain = domain
  const latency = read('x-gatehouse-latency')
  if (latency) meta.latency = latency
  const prompt = read('x-gatehouse-prompt')
  if (prompt) meta.prompt = prompt
  const sources = read('x-gatehouse-context-sources')
  if (sources)
    meta.contextSources = sources
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .slice(0, 64)
  const maxCost = read('x-gatehouse-max-cost-usd')
  if (maxCost !== undefined) meta.maxCostUsd = positiveNumber(maxCost, 'x-gatehouse-max-cost-usd')
  const timeout = read('x-gatehouse-timeout-ms')
  if (timeout !== undefined) meta.timeoutMs = Math.ceil(positiveNumber(timeout, 'x-gatehouse-timeout-ms'))
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-gatehouse-meta-') && typeof value === 'string' && name.length > 17) {
      meta.metadata[name.slice(17)] = value.slice(0, 256)
    }
  }
  return meta
}

function positiveNumber(value: string, header: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) {
    throw new GatewayError('bad_request', `Invalid ${header}: expected a positive number.`, { param: header })
  }
  return n
}

/**
 * `x-gatehouse-simulate: latency_ms=200, fail_status=503, retry_after_s=2` drives the `simulated`
 * provider for one request (failure drills without a config change); other providers ignore it.
 */
export function simulateFrom(header: string | string[] | undefined): SimulateConfig | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined
  const raw: Record<string, unknown> = {}
  for (const pair of header.split(/[,;]/)) {
    const [key, value] = pair.split('=').map((s) => s.trim())
    if (!key) continue
    raw[key] =
      value === 'true'
        ? true
        : value === 'false'
          ? false
          : value !== undefined && /^\d+$/.test(value)
            ? Number(value)
            : value
  }
  const parsed = simulateSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new GatewayError(
      'bad_request',
      `Invalid x-gatehouse-simulate header: ${issue?.path.join('.') || 'value'} ${issue?.message ?? ''}`.trim(),
      {
        param: 'x-gatehouse-simulate',
      },
    )
  }
  return parsed.data
}
