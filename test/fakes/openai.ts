import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { cutBytes, listenFake, readBody } from './fake-server.js'

/**
 * A fake OpenAI (or OpenAI-compatible) server on a real socket, speaking the wire format of
 * https://platform.openai.com/docs/api-reference/chat: JSON answers, SSE streams terminated by
 * `data: [DONE]`, OpenAI's error bodies and rate-limit headers. Each call consumes the next script
 * step (the last one repeats), and every call is recorded with its headers, body and whether the
 * client went away before the answer was complete. `inFlight` counts requests neither answered in
 * full nor closed by the client, so a test can show that no upstream call was left hanging.
 */

/** How an SSE answer ends: cleanly, by hanging with the connection open, or by a TCP reset. */
export type SseEnd = 'end' | 'stall' | 'reset'

export type Step =
  | { type: 'json'; status: number; body: unknown; headers: Record<string, string>; delayMs: number }
  | { type: 'raw'; status: number; text: string; headers: Record<string, string> }
  | { type: 'sse'; payload: string; splitAt: 'events' | 'random' | number[]; gapMs: number; ending: SseEnd }
  | { type: 'stall' }
  | { type: 'reset' }

export interface RecordedCall {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: Record<string, unknown>
  /** When the request arrived (performance.now()), to measure the gaps between retries. */
  atMs: number
  /** Resolves true if the client closed the connection before the answer was complete. */
  aborted: Promise<boolean>
}

export interface FakeOpenAI {
  /** Base URL including `/v1`, as a provider's `base_url`. */
  url: string
  calls: RecordedCall[]
  /** Distinct client sockets seen (keep-alive pooling keeps this low). */
  connections: number
  /** Requests not yet answered in full whose connection is still open. */
  inFlight: number
  /** Resolves once `inFlight` is 0; rejects, naming the count, if that takes longer than `timeoutMs`. */
  waitIdle(timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

export const json = (
  body: unknown,
  init: { status?: number; headers?: Record<string, string>; delayMs?: number } = {},
): Step => ({
  type: 'json',
  status: init.status ?? 200,
  body,
  headers: init.headers ?? {},
  delayMs: init.delayMs ?? 0,
})

/** An OpenAI error answer: `{"error":{"message","type","param","code"}}`. */
export const error = (
  status: number,
  init: { message?: string; type?: string; code?: string | null; headers?: Record<string, string> } = {},
): Step =>
  json(
    {
      error: {
        message: init.message ?? `fake upstream error ${status}`,
        type:
          init.type ??
          (status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error'),
        param: null,
        code: init.code ?? null,
      },
    },
    { status, headers: init.headers ?? {} },
  )

/** A body sent as is, e.g. truncated JSON with a 200 (a proxy that cut the answer short). */
export const raw = (
  text: string,
  init: { status?: number; headers?: Record<string, string> } = {},
): Step => ({
  type: 'raw',
  status: init.status ?? 200,
  text,
  headers: init.headers ?? { 'content-type': 'application/json' },
})

interface SseInit {
  splitAt?: 'events' | 'random' | number[]
  /** Pause after each write (a slow, dripping stream). */
  gapMs?: number
  /** After the payload: end the response (default), hang with the connection open, or reset it. */
  ending?: SseEnd
}

/**
 * A stream of chunk objects as `data:` events, then `[DONE]` unless `done: false` (a cut stream).
 * `splitAt` decides how the bytes hit the socket: one write per event, random byte positions, or
 * the given byte offsets.
 */
export const sse = (events: unknown[], init: SseInit & { done?: boolean } = {}): Step =>
  rawSse(
    events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') +
      (init.done === false ? '' : 'data: [DONE]\n\n'),
    init,
  )

/** Raw SSE text (e.g. a recorded fixture), written with the given split. */
export const rawSse = (payload: string, init: SseInit = {}): Step => ({
  type: 'sse',
  payload,
  splitAt: init.splitAt ?? 'events',
  gapMs: init.gapMs ?? 0,
  ending: init.ending ?? 'end',
})

/** Some events, then silence with the connection held open: a provider stuck mid-answer. */
export const stallMidStream = (events: unknown[]): Step => sse(events, { done: false, ending: 'stall' })

export const stall = (): Step => ({ type: 'stall' })
export const reset = (): Step => ({ type: 'reset' })

/** Chunks of an OpenAI chat stream for `text`: role, content pieces, finish, usage-only chunk. */
export function chunks(
  text: string,
  init: { model?: string; pieceChars?: number; usage?: boolean } = {},
): unknown[] {
  const model = init.model ?? 'gpt-4o-mini-2024-07-18'
  const base = {
    id: 'chatcmpl-fake123',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    system_fingerprint: 'fp_fake',
  }
  const size = init.pieceChars ?? 4
  const out: unknown[] = [
    {
      ...base,
      choices: [
        {
          index: 0,
          delta: { role: 'assistant', content: '', refusal: null },
          logprobs: null,
          finish_reason: null,
        },
      ],
    },
  ]
  for (let i = 0; i < text.length; i += size) {
    out.push({
      ...base,
      choices: [
        { index: 0, delta: { content: text.slice(i, i + size) }, logprobs: null, finish_reason: null },
      ],
    })
  }
  out.push({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] })
  if (init.usage !== false) {
    out.push({ ...base, choices: [], usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 } })
  }
  return out
}

/** A complete OpenAI chat completion answering `text`. */
export function completion(text: string, model = 'gpt-4o-mini-2024-07-18'): Record<string, unknown> {
  return {
    id: 'chatcmpl-fake123',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    system_fingerprint: 'fp_fake',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 },
  }
}

/** A complete OpenAI chat completion that calls one function (`finish_reason: tool_calls`). */
export function toolCallCompletion(id: string, name: string, args: string): Record<string, unknown> {
  return {
    ...completion(''),
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [{ id, type: 'function', function: { name, arguments: args } }],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ],
  }
}

export async function startFakeOpenAI(
  script: Step[] | ((call: RecordedCall) => Step) = [],
): Promise<FakeOpenAI> {
  const calls: RecordedCall[] = []
  let inFlight = 0
  const next = (call: RecordedCall): Step => {
    if (typeof script === 'function') return script(call)
    const step = script[Math.min(calls.length - 1, script.length - 1)]
    return step ?? json(completion('hello from the fake'))
  }

  const server = createServer(async (req, res) => {
    const atMs = performance.now()
    inFlight++
    // 'close' fires once the answer is complete or the connection is gone, whichever comes first.
    res.on('close', () => inFlight--)
    const text = (await readBody(req)).toString('utf8')
    let body: Record<string, unknown> = {}
    try {
      body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
    } catch {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'bad json' } }))
      return
    }
    const aborted = new Promise<boolean>((resolve) => res.on('close', () => resolve(!res.writableFinished)))
    const call: RecordedCall = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body,
      atMs,
      aborted,
    }
    calls.push(call)
    await answer(next(call), req, res)
  })
  const listening = await listenFake(server)

  return {
    url: `http://127.0.0.1:${listening.port}/v1`,
    calls,
    get connections() {
      return listening.connections()
    },
    get inFlight() {
      return inFlight
    },
    async waitIdle(timeoutMs = 1000) {
      const giveUpAt = Date.now() + timeoutMs
      while (inFlight > 0) {
        if (Date.now() >= giveUpAt)
          throw new Error(`${inFlight} upstream request(s) still in progress after ${timeoutMs} ms`)
        await sleep(5)
      }
    },
    close: listening.close,
  }
}

async function answer(step: Step, req: IncomingMessage, res: ServerResponse): Promise<void> {
  switch (step.type) {
    case 'json':
      if (step.delayMs > 0) await sleep(step.delayMs)
      res.writeHead(step.status, {
        'content-type': 'application/json',
        'x-request-id': 'req_fake',
        ...step.headers,
      })
      res.end(JSON.stringify(step.body))
      return
    case 'raw':
      res.writeHead(step.status, { 'x-request-id': 'req_fake', ...step.headers })
      res.end(step.text)
      return
    case 'stall':
      // Headers never come; the client must give up on its own.
      return
    case 'reset':
      req.socket.destroy()
      return
    case 'sse': {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-request-id': 'req_fake',
      })
      res.flushHeaders()
      for (const piece of split(step.payload, step.splitAt)) {
        if (res.destroyed) return
        res.write(piece)
        // Separate writes by a macrotask (or a gap) so they leave as separate TCP segments.
        await sleep(step.gapMs)
      }
      if (step.ending === 'end') res.end()
      else if (step.ending === 'reset') req.socket.destroy()
      // 'stall': the response stays open until the client gives up and closes the connection.
    }
  }
}

function split(payload: string, how: 'events' | 'random' | number[]): Buffer[] {
  if (how === 'events') return payload.split(/(?<=\n\n)/).map((s) => Buffer.from(s))
  return cutBytes(Buffer.from(payload), how, 7)
}
