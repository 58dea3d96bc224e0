import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'

/**
 * The fastest honest OpenAI chat completions server we can write: fixed answers built once, no
 * logging, no validation beyond JSON. It stands in for the provider so the benchmark measures
 * the gateway, not a model. Wire format as in https://platform.openai.com/docs/api-reference/chat:
 * a `chat.completion` object, or `chat.completion.chunk` events ending with `data: [DONE]`, with
 * a usage-only chunk (`choices: []`) when `stream_options.include_usage` is set.
 */

const MODEL = 'bench-model-2025-01-01'
const CREATED = 1_735_689_600
const BASE = { id: 'chatcmpl-bench0001', created: CREATED, model: MODEL, system_fingerprint: 'fp_bench' }
const USAGE = {
  prompt_tokens: 12,
  completion_tokens: 9,
  total_tokens: 21,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 0,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
}
const PIECES = ['Hello', '! How', ' can I', ' help', ' today?']

const COMPLETION = Buffer.from(
  JSON.stringify({
    ...BASE,
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: PIECES.join(''), refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: USAGE,
    service_tier: 'default',
  }),
)

/** Every SSE frame of one stream, in order; with usage, each chunk carries `usage: null` as OpenAI's do. */
function streamFrames(includeUsage: boolean): string[] {
  const usageField = includeUsage ? { usage: null } : {}
  const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
    ...BASE,
    object: 'chat.completion.chunk',
    service_tier: 'default',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...usageField,
  })
  const chunks: unknown[] = [
    chunk({ role: 'assistant', content: '', refusal: null }, null),
    ...PIECES.map((content) => chunk({ content }, null)),
    chunk({}, 'stop'),
  ]
  if (includeUsage) {
    chunks.push({
      ...BASE,
      object: 'chat.completion.chunk',
      service_tier: 'default',
      choices: [],
      usage: USAGE,
    })
  }
  return [...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), 'data: [DONE]\n\n']
}

const FRAMES_WITH_USAGE = streamFrames(true)
const FRAMES_WITHOUT_USAGE = streamFrames(false)

export function createFakeUpstream(): Server {
  const server = createServer(function answer(req, res) {
    const parts: Buffer[] = []
    req.on('data', (part: Buffer) => parts.push(part))
    req.on('end', () => respond(req, res, Buffer.concat(parts).toString('utf8')))
  })
  // Longer than any pause between scenarios, so pooled connections are not dropped and re-opened.
  server.keepAliveTimeout = 120_000
  return server
}

function respond(req: IncomingMessage, res: ServerResponse, text: string): void {
  // The gateway's span exports with BENCH_TRACING=1: accepted and dropped, like a collector would.
  if (req.method === 'POST' && req.url === '/v1/traces') {
    sendJson(res, 200, {})
    return
  }
  if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
    sendJson(res, 404, { error: { message: 'not found', type: 'invalid_request_error', code: null } })
    return
  }
  let body: { stream?: unknown; stream_options?: { include_usage?: unknown } | null }
  try {
    body = JSON.parse(text) as typeof body
  } catch {
    sendJson(res, 400, { error: { message: 'bad json', type: 'invalid_request_error', code: null } })
    return
  }
  if (body.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': COMPLETION.length })
    res.end(COMPLETION)
    return
  }
  const frames = body.stream_options?.include_usage === true ? FRAMES_WITH_USAGE : FRAMES_WITHOUT_USAGE
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
  // The first chunk goes out with the headers; the rest follow one per event-loop turn, as separate
  // writes, so the client sees a stream rather than one buffer.
  writeFrom(res, frames, 0)
}

function writeFrom(res: ServerResponse, frames: readonly string[], index: number): void {
  if (res.destroyed) return
  const frame = frames[index]
  if (frame === undefined) {
    res.end()
    return
  }
  res.write(frame)
  setImmediate(writeFrom, res, frames, index + 1)
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
  res.end(payload)
}
