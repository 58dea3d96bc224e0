import { Pool } from 'undici'

/**
 * The load generator: closed-loop clients over one undici pool, one request in flight per
 * connection. It only ever targets 127.0.0.1 and always stops by itself: at the end of its window,
 * or, for a request that hangs, when undici's timeouts fire.
 */

const REQUEST_TIMEOUT_MS = 10_000
/** The key the bench config declares; sent on both paths so they carry the same bytes. */
export const BENCH_KEY = 'bench-key-0123456789abcdefghijklmnop'
const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` }
const MAX_FAILURE_SAMPLES = 5

export interface LoadOptions {
  /** `http://127.0.0.1:<port>`; anything else is refused. */
  origin: string
  path: string
  /** One body, or several sent in turn (distinct prompts, so no cache can serve a repeat). */
  body: string | readonly string[]
  connections: number
  warmupMs: number
  measureMs: number
  /** Called as the measured window opens and closes, e.g. to read the gateway's CPU time. */
  onWindowStart?: () => void
  onWindowEnd?: () => void
}

export interface Failures {
  /** Requests sent, warm-up included. */
  attempts: number
  /** Non-2xx answers and transport errors, warm-up included. */
  failures: number
  samples: string[]
}

export interface LoadResult extends Failures {
  /** Successful requests completed inside the measured window. */
  requests: number
  windowMs: number
  latenciesMs: number[]
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const pool = loadPool(options.origin, options.connections)
  const next = bodyCycle(options.body)
  const request = () => ({ path: options.path, method: 'POST' as const, headers: HEADERS, body: next() })
  const clock = { phase: 'warmup' as 'warmup' | 'measure' | 'done', startNs: 0n, endNs: 0n }
  const tally: Failures = { attempts: 0, failures: 0, samples: [] }
  const latenciesMs: number[] = []

  // A failing hook (say, a child process gone from /proc) ends the run and is rethrown below,
  // instead of escaping from a timer as an uncaught exception.
  let hookError: unknown
  const callHook = (hook: (() => void) | undefined): void => {
    try {
      hook?.()
    } catch (err) {
      hookError ??= err
      clock.phase = 'done'
    }
  }
  const opening = setTimeout(() => {
    callHook(options.onWindowStart)
    clock.startNs = process.hrtime.bigint()
    if (clock.phase === 'warmup') clock.phase = 'measure'
  }, options.warmupMs)
  const closing = setTimeout(() => {
    clock.endNs = process.hrtime.bigint()
    clock.phase = 'done'
    callHook(options.onWindowEnd)
  }, options.warmupMs + options.measureMs)

  async function client(): Promise<void> {
    while (clock.phase !== 'done') {
      const startedNs = process.hrtime.bigint()
      const failure = await send(pool, request())
      const endedNs = process.hrtime.bigint()
      tally.attempts++
      if (failure !== undefined) {
        countFailure(tally, failure)
      } else if (clock.phase === 'measure') {
        // A request counts in the window it completes in, like the CPU time it consumed.
        latenciesMs.push(Number(endedNs - startedNs) / 1e6)
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: options.connections }, client))
  } finally {
    clearTimeout(opening)
    clearTimeout(closing)
    await pool.destroy()
  }
  if (hookError !== undefined) throw hookError
  return {
    ...tally,
    requests: latenciesMs.length,
    windowMs: Number(clock.endNs - clock.startNs) / 1e6,
    latenciesMs,
  }
}

export interface SendOptions {
  origin: string
  path: string
  body: string | readonly string[]
  connections: number
  /** Requests to send in all, streamed ones read to their end. */
  requests: number
}

/**
 * A fixed number of requests over `connections` closed-loop clients, nothing timed: to bring a
 * process to its steady state (code optimized, pools and heap grown) before anything is measured.
 */
export interface SendResult extends Failures {
  /** Each successful request's latency, in the order they completed. */
  latenciesMs: number[]
}

export async function sendRequests(options: SendOptions): Promise<SendResult> {
  const pool = loadPool(options.origin, options.connections)
  const next = bodyCycle(options.body)
  const tally: SendResult = { attempts: 0, failures: 0, samples: [], latenciesMs: [] }
  async function client(): Promise<void> {
    while (tally.attempts < options.requests) {
      tally.attempts++
      const startedNs = process.hrtime.bigint()
      const failure = await send(pool, { path: options.path, method: 'POST', headers: HEADERS, body: next() })
      if (failure !== undefined) countFailure(tally, failure)
      else tally.latenciesMs.push(Number(process.hrtime.bigint() - startedNs) / 1e6)
    }
  }
  try {
    await Promise.all(Array.from({ length: options.connections }, client))
  } finally {
    await pool.destroy()
  }
  return tally
}

export interface TtfbOptions {
  origin: string
  path: string
  body: string | readonly string[]
  warmupRequests: number
  requests: number
}

export interface TtfbResult extends Failures {
  /** Request sent -> first body byte, for each measured request. */
  ttfbMs: number[]
}

/** One connection, one streaming request after another; each stream is read to `[DONE]`. */
export async function measureTtfb(options: TtfbOptions): Promise<TtfbResult> {
  const pool = loadPool(options.origin, 1)
  const next = bodyCycle(options.body)
  const request = () => ({ path: options.path, method: 'POST' as const, headers: HEADERS, body: next() })
  const tally: Failures = { attempts: 0, failures: 0, samples: [] }
  const ttfbMs: number[] = []
  try {
    for (let i = 0; i < options.warmupRequests + options.requests; i++) {
      tally.attempts++
      const outcome = await streamOnce(pool, request())
      if (typeof outcome === 'string') countFailure(tally, outcome)
      else if (i >= options.warmupRequests) ttfbMs.push(outcome.ttfbMs)
    }
  } finally {
    await pool.destroy()
  }
  return { ...tally, ttfbMs }
}

export interface Probe {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

/** One request, whole body as text: for checking the wiring before any load. */
export async function probe(origin: string, path: string, body: string): Promise<Probe> {
  const pool = new Pool(loopbackOrigin(origin), { connections: 1, headersTimeout: REQUEST_TIMEOUT_MS })
  try {
    const res = await pool.request({ path, method: 'POST', headers: HEADERS, body })
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() }
  } finally {
    await pool.destroy()
  }
}

type RequestOptions = Parameters<Pool['request']>[0]

/** Returns undefined on success, else what went wrong. */
async function send(pool: Pool, request: RequestOptions): Promise<string | undefined> {
  try {
    const res = await pool.request(request)
    if (res.statusCode >= 200 && res.statusCode < 300) {
      await res.body.arrayBuffer()
      return undefined
    }
    return `HTTP ${res.statusCode}: ${(await res.body.text()).slice(0, 300)}`
  } catch (err) {
    return `transport: ${(err as Error).message}`
  }
}

async function streamOnce(pool: Pool, request: RequestOptions): Promise<{ ttfbMs: number } | string> {
  try {
    const startedNs = process.hrtime.bigint()
    const res = await pool.request(request)
    let firstByteNs: bigint | undefined
    let tail = ''
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (chunk.length === 0) continue
      firstByteNs ??= process.hrtime.bigint()
      tail = (tail + chunk.toString('utf8')).slice(-64)
    }
    if (res.statusCode < 200 || res.statusCode >= 300) return `HTTP ${res.statusCode}: ${tail}`
    if (firstByteNs === undefined || !tail.endsWith('data: [DONE]\n\n')) {
      return `stream did not end with data: [DONE] (ended with ${JSON.stringify(tail)})`
    }
    return { ttfbMs: Number(firstByteNs - startedNs) / 1e6 }
  } catch (err) {
    return `transport: ${(err as Error).message}`
  }
}

function countFailure(tally: Failures, failure: string): void {
  tally.failures++
  if (tally.samples.length < MAX_FAILURE_SAMPLES) tally.samples.push(failure)
}

/** One request in flight per connection, to 127.0.0.1 only, with timeouts so a hung request ends. */
function loadPool(origin: string, connections: number): Pool {
  return new Pool(loopbackOrigin(origin), {
    connections,
    pipelining: 1,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  })
}

function loopbackOrigin(url: string): string {
  const parsed = new URL(url)
  if (parsed.hostname !== '127.0.0.1') {
    throw new Error(`refusing to send load to ${parsed.hostname}: the benchmark only targets 127.0.0.1`)
  }
  return parsed.origin
}

/** The next body to send: the one given, or each of several in turn. */
function bodyCycle(body: string | readonly string[]): () => string {
  if (typeof body === 'string') return () => body
  let i = 0
  return () => body[i++ % body.length]!
}
