import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { cutBytes, listenFake, readBody } from './fake-server.js'

/**
 * A fake Anthropic Messages API on a real socket, built from https://docs.anthropic.com/en/api:
 * `POST /v1/messages` checked as Anthropic checks it (`x-api-key`, `anthropic-version`,
 * `max_tokens`, `messages`), JSON answers, SSE streams with `event:` lines, the error body
 * `{"type":"error","error":{"type","message"}}` with `request-id`, 529 overloaded, `retry-after`
 * and `anthropic-ratelimit-*` headers. Each call takes the next script step (the last repeats).
 */

export type Step =
  | { type: 'json'; status: number; body: unknown; headers: Record<string, string> }
  | {
      type: 'sse'
      payload: string
      splitAt: 'events' | 'random' | number[]
      ending: 'end' | 'stall' | 'reset'
    }
  | { type: 'stall' }
  | { type: 'reset' }

export interface AnthropicCall {
  path: string
  headers: IncomingHttpHeaders
  body: Record<string, any>
}

export interface FakeAnthropic {
  /** The provider's `base_url` (without `/v1`, as Anthropic's SDKs take it). */
  url: string
  calls: AnthropicCall[]
  close(): Promise<void>
}

export const ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
}

export const message = (body: unknown, headers: Record<string, string> = {}): Step => ({
  type: 'json',
  status: 200,
  body,
  headers,
})

/** An Anthropic error answer; the status follows the error type unless given. */
export const error = (
  type: string,
  msg: string,
  init: { status?: number; headers?: Record<string, string> } = {},
): Step => ({
  type: 'json',
  status: init.status ?? ERROR_STATUS[type] ?? 500,
  body: { type: 'error', error: { type, message: msg }, request_id: 'req_011CFakeError' },
  headers: init.headers ?? {},
})

/** Stream events as Anthropic frames them: `event: <type>` then `data: <json>`. */
export const sse = (
  events: Array<{ type: string }>,
  init: { splitAt?: 'events' | 'random' | number[]; ending?: 'end' | 'stall' | 'reset' } = {},
): Step => rawSse(events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(''), init)

export const rawSse = (
  payload: string,
  init: { splitAt?: 'events' | 'random' | number[]; ending?: 'end' | 'stall' | 'reset' } = {},
): Step => ({ type: 'sse', payload, splitAt: init.splitAt ?? 'events', ending: init.ending ?? 'end' })

export const stall = (): Step => ({ type: 'stall' })
export const reset = (): Step => ({ type: 'reset' })

/** Rate-limit headers of a 429 (https://docs.anthropic.com/en/api/rate-limits#response-headers). */
export function rateLimitHeaders(resetAt: Date, retryAfterS?: number): Record<string, string> {
  return {
    'anthropic-ratelimit-requests-limit': '50',
    'anthropic-ratelimit-requests-remaining': '0',
    'anthropic-ratelimit-requests-reset': resetAt.toISOString(),
    'anthropic-ratelimit-tokens-limit': '40000',
    'anthropic-ratelimit-tokens-remaining': '38000',
    'anthropic-ratelimit-tokens-reset': new Date(resetAt.getTime() - 30_000).toISOString(),
    ...(retryAfterS === undefined ? {} : { 'retry-after': String(retryAfterS) }),
  }
}

export const USAGE = {
  input_tokens: 12,
  output_tokens: 6,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
}

/** A complete text answer. */
export function textMessage(text: string, model = 'claude-sonnet-4-20250514'): Record<string, unknown> {
  return {
    id: 'msg_01FakeText',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: USAGE,
  }
}

/** The events of a streamed text answer, `pieceChars` characters per delta, with a ping. */
export function textEvents(text: string, init: { pieceChars?: number; model?: string } = {}) {
  const size = init.pieceChars ?? 4
  const deltas = []
  for (let i = 0; i < text.length; i += size) {
    deltas.push({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: text.slice(i, i + size) },
    })
  }
  const start = {
    ...textMessage('', init.model),
    content: [],
    stop_reason: null,
    usage: { ...USAGE, output_tokens: 1 },
  }
  return [
    { type: 'message_start', message: start },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'ping' },
    ...deltas,
    { type: 'content_block_stop', index: 0 },
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 6 },
    },
    { type: 'message_stop' },
  ]
}

export async function startFakeAnthropic(
  script: Step[] | ((call: AnthropicCall) => Step),
  opts: { apiKey?: string } = {},
): Promise<FakeAnthropic> {
  const calls: AnthropicCall[] = []
  const next = (call: AnthropicCall): Step =>
    typeof script === 'function' ? script(call) : script[Math.min(calls.length - 1, script.length - 1)]!

  const server = createServer(async (req, res) => {
    const text = (await readBody(req)).toString('utf8')
    const invalid = check(req, text, opts.apiKey)
    if (invalid) return answer(invalid, req, res)
    const call = { path: req.url ?? '', headers: req.headers, body: JSON.parse(text) }
    calls.push(call)
    await answer(next(call), req, res)
  })
  const listening = await listenFake(server)
  return { url: `http://127.0.0.1:${listening.port}`, calls, close: listening.close }
}

/** The checks Anthropic makes before a model sees the request, with its error messages. */
function check(req: IncomingMessage, text: string, apiKey: string | undefined): Step | undefined {
  if (req.method !== 'POST' || req.url !== '/v1/messages') return error('not_found_error', 'Not Found')
  const key = req.headers['x-api-key']
  if (!key || (apiKey !== undefined && key !== apiKey))
    return error('authentication_error', 'invalid x-api-key')
  if (!req.headers['anthropic-version']) {
    return error('invalid_request_error', 'anthropic-version: header is required')
  }
  let body: Record<string, unknown>
  try {
    body = JSON.parse(text) as Record<string, unknown>
  } catch {
    return error('invalid_request_error', 'There was an error parsing the body of your request.')
  }
  if (!Number.isInteger(body['max_tokens']))
    return error('invalid_request_error', 'max_tokens: Field required')
  if (!Array.isArray(body['messages'])) return error('invalid_request_error', 'messages: Field required')
  if (
    (body['messages'] as Array<{ role: string }>).some((m) => m.role !== 'user' && m.role !== 'assistant')
  ) {
    return error('invalid_request_error', "messages: roles must be 'user' or 'assistant'")
  }
  return undefined
}

async function answer(step: Step, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const common = { 'request-id': 'req_011CFake', 'anthropic-organization-id': 'org-fake' }
  switch (step.type) {
    case 'json':
      res.writeHead(step.status, { 'content-type': 'application/json', ...common, ...step.headers })
      res.end(JSON.stringify(step.body))
      return
    case 'stall':
      return
    case 'reset':
      req.socket.destroy()
      return
    case 'sse':
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        ...common,
      })
      res.flushHeaders()
      for (const piece of split(step.payload, step.splitAt)) {
        if (res.destroyed) return
        res.write(piece)
        await sleep(0)
      }
      if (step.ending === 'end') res.end()
      else if (step.ending === 'reset') req.socket.destroy()
  }
}

/** The payload's bytes cut per event, at random positions, or at the given offsets. */
function split(payload: string, how: 'events' | 'random' | number[]): Buffer[] {
  if (how === 'events') return payload.split(/(?<=\n\n)/).map((s) => Buffer.from(s))
  return cutBytes(Buffer.from(payload), how, 7)
}
