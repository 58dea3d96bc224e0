import { once } from 'node:events'
import { createServer } from 'node:net'
import { setTimeout as realSleep } from 'node:timers/promises'
import type { RouteTrace } from '../../src/routing/route-trace.js'
import type { RoutingDeps } from '../../src/routing/routing-deps.js'
import type { TestGateway } from './gateway.js'

/**
 * Routing and resilience tests: injected sleep, clock and randomness, and a client that reads
 * what the gateway says about its decisions (`x-gatehouse-attempts`, `x-gatehouse-route-trace`).
 */

/** A sleep that records each delay execute asks for; it waits for real only with `real: true`. */
export function recordingSleep(opts: { real?: boolean } = {}) {
  const delaysMs: number[] = []
  const sleep: RoutingDeps['sleep'] = async (ms, signal) => {
    delaysMs.push(ms)
    if (opts.real) await realSleep(ms, undefined, { signal: signal.toAbortSignal() })
    else if (signal.aborted) throw signal.reason
  }
  return { delaysMs, sleep }
}

/** A wall clock a test moves forward, so breaker cooldowns pass without waiting. */
export function adjustableClock() {
  let offsetMs = 0
  return {
    now: () => Date.now() + offsetMs,
    advance(ms: number) {
      offsetMs += ms
    },
  }
}

/** Deterministic numbers in [0, 1) (mulberry32), so a statistical assertion cannot flake. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** A port nothing listens on: bound once by the OS, then released. */
export async function unusedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/** The promise's value, or a failure naming what did not happen within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

export interface Answer {
  status: number
  headers: Headers
  /** The JSON body of a non-stream answer. */
  json: Record<string, any> | undefined
  /** The `data:` payloads of a stream, in order, `[DONE]` included. */
  events: string[]
  /** The decision trace, when the gateway sent one. */
  trace: RouteTrace | undefined
  /** `x-gatehouse-attempts`. */
  attempts: number | undefined
  /** From sending the request to the end of the body. */
  elapsedMs: number
}

/**
 * POST a chat completion and read the whole answer, stream or not. Bounded by `timeoutMs`, so
 * a gateway that never answers fails the test instead of hanging it.
 */
export async function chat(
  gateway: TestGateway,
  body: Record<string, unknown>,
  opts: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Answer> {
  const startedMs = performance.now()
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...opts.headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
  })
  const text = await res.text()
  const elapsedMs = performance.now() - startedMs
  const isStream = res.headers.get('content-type')?.startsWith('text/event-stream') === true
  const trace = res.headers.get('x-gatehouse-route-trace')
  const attempts = res.headers.get('x-gatehouse-attempts')
  return {
    status: res.status,
    headers: res.headers,
    json: isStream ? undefined : (JSON.parse(text) as Record<string, any>),
    events: isStream ? dataOf(text) : [],
    trace: trace === null ? undefined : (JSON.parse(trace) as RouteTrace),
    attempts: attempts === null ? undefined : Number(attempts),
    elapsedMs,
  }
}

/** The text a stream's chunks carry, joined. */
export function streamedText(events: string[]): string {
  return events
    .filter((e) => e !== '[DONE]')
    .map((e) => JSON.parse(e) as { choices?: Array<{ delta?: { content?: string } }> })
    .map((chunk) => chunk.choices?.[0]?.delta?.content ?? '')
    .join('')
}

/** `target#attempt:outcome` for each attempt in a trace, e.g. `primary#1:503`, `backup#1:ok`. */
export function attemptsOf(trace: RouteTrace | undefined): string[] {
  return (trace?.attempts ?? []).map(
    (a) => `${a.target}#${a.attempt}:${a.ok ? 'ok' : (a.status ?? a.failure)}`,
  )
}

function dataOf(text: string): string[] {
  return text
    .split('\n\n')
    .flatMap((event) => event.split('\n').filter((line) => line.startsWith('data: ')))
    .map((line) => line.slice(6))
}
