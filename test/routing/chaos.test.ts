import { setTimeout } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import type { GatehouseOptions } from '../../src/main.js'
import { BreakerRegistry } from '../../src/routing/circuit-breaker.js'
import {
  chunks,
  completion,
  error,
  type FakeOpenAI,
  json,
  raw,
  rawSse,
  reset,
  type Step,
  sse,
  stall,
  stallMidStream,
  startFakeOpenAI,
} from '../fakes/openai.js'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'
import {
  adjustableClock,
  attemptsOf,
  chat,
  recordingSleep,
  streamedText,
  unusedPort,
  within,
} from '../helpers/routing.js'

/**
 * Chaos: fake providers on real sockets fail in every way a provider fails (rate limits, 5xx,
 * refused and reset connections, silence before and during a stream, cut streams, garbled JSON),
 * and each test checks what the client got, which attempts the gateway made (the fakes' call
 * counts, `x-gatehouse-attempts`, the route trace), how long it took, and that no call was left
 * hanging at a provider (checked after every test). Backoff sleeps are injected and recorded
 * where the delay itself is not the point, so most tests take milliseconds.
 */

const ASK = { model: 'chat', messages: [{ role: 'user', content: 'hi' }] }
const ASK_STREAM = { ...ASK, stream: true }
const ok = (text = 'ok') => json(completion(text))
const sseData = (events: unknown[]) => events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')

const gateways: TestGateway[] = []
const fakes: FakeOpenAI[] = []

afterEach(async () => {
  try {
    // Every upstream call either finished or had its connection closed by the gateway.
    for (const fake of fakes) await fake.waitIdle(1000)
  } finally {
    // Fakes first: closing them ends any call a broken gateway left hanging, so its shutdown
    // cannot wait on it.
    await Promise.all(fakes.splice(0).map((fake) => fake.close()))
    for (const gateway of gateways.splice(0)) await within(gateway.close(), 5000, 'gateway shutdown')
  }
})

interface SetupOptions {
  /** Merged into the `chat` route (retry, timeouts, fallback_on...); `retry` key by key. */
  route?: { retry?: Record<string, unknown>; [key: string]: unknown }
  /** Merged into `routing` (trace_header is on). */
  routing?: Record<string, unknown>
  admin?: Record<string, unknown>
  /** Merged into every model entry (price, context_window...). */
  model?: Record<string, unknown>
  deps?: GatehouseOptions['routing']
}

/**
 * One fake provider per name (or a base URL for a provider that is not a fake), one model per
 * provider named after it, and a `chat` route over them in the order given. Retries default to
 * 2 attempts with a 20 ms base backoff; the sleep is a recording fake unless `deps` says otherwise.
 */
async function setup<K extends string>(upstreams: Record<K, Step[] | string>, opts: SetupOptions = {}) {
  const started = {} as Record<K, FakeOpenAI>
  const urls: Record<string, string> = {}
  for (const [name, script] of Object.entries(upstreams) as Array<[K, Step[] | string]>) {
    if (typeof script === 'string') {
      urls[name] = script
      continue
    }
    const fake = await startFakeOpenAI(script)
    fakes.push(fake)
    started[name] = fake
    urls[name] = fake.url
  }
  const names = Object.keys(urls)
  const { retry, ...route } = opts.route ?? {}
  const sleep = recordingSleep()
  const gateway = await startTestGateway(
    {
      providers: Object.fromEntries(
        names.map((name) => [name, { kind: 'openai-compatible', base_url: urls[name] }]),
      ),
      models: Object.fromEntries(names.map((name) => [name, { provider: name, ...opts.model }])),
      routes: {
        chat: {
          targets: names,
          retry: { attempts: 2, initial_backoff_ms: 20, max_backoff_ms: 200, ...retry },
          ...route,
        },
      },
      routing: { trace_header: true, ...opts.routing },
      ...(opts.admin ? { admin: opts.admin } : {}),
    },
    { routing: { sleep: sleep.sleep, ...opts.deps } },
  )
  gateways.push(gateway)
  return { gateway, fake: started, sleeps: sleep.delaysMs }
}

describe('rate limits (429)', () => {
  it('waits out Retry-After on the same target, then succeeds', async () => {
    const { gateway, fake, sleeps } = await setup({
      primary: [error(429, { headers: { 'retry-after': '1' } }), ok('after the wait')],
      backup: [ok('backup')],
    })
    const res = await chat(gateway, ASK)
    expect(res.status).toBe(200)
    expect(res.json!.choices[0].message.content).toBe('after the wait')
    expect(sleeps).toEqual([1000])
    expect(res.attempts).toBe(2)
    expect(attemptsOf(res.trace)).toEqual(['primary#1:429', 'primary#2:ok'])
    expect(res.trace!.attempts[1]!.waitedMs).toBe(1000)
    expect(fake.primary.calls).toHaveLength(2)
    expect(fake.backup.calls).toHaveLength(0)
  })

  it('really sleeps the Retry-After (1 s) before the retry', async () => {
    const { gateway, fake } = await setup(
      { primary: [error(429, { headers: { 'retry-after': '1' } }), ok('after the wait')] },
      { deps: { sleep: recordingSleep({ real: true }).sleep } },
    )
    const res = await chat(gateway, ASK)
    expect(res.status).toBe(200)
    const gapMs = fake.primary.calls[1]!.atMs - fake.primary.calls[0]!.atMs
    expect(gapMs).toBeGreaterThanOrEqual(990)
    expect(gapMs).toBeLessThan(2500)
    expect(res.elapsedMs).toBeLessThan(2500)
  })

  it('moves on at once when Retry-After is above max_retry_after_s', async () => {
    const sleep = recordingSleep({ real: true })
    const { gateway, fake } = await setup(
      { primary: [error(429, { headers: { 'retry-after': '120' } })], backup: [ok('backup')] },
      { route: { retry: { attempts: 3, max_retry_after_s: 30 } }, deps: { sleep: sleep.sleep } },
    )
    const res = await chat(gateway, ASK)
    expect(res.status).toBe(200)
    expect(res.json!.choices[0].message.content).toBe('backup')
    expect(sleep.delaysMs).toEqual([])
    expect(res.elapsedMs).toBeLessThan(1000)
    expect(attemptsOf(res.trace)).toEqual(['primary#1:429', 'backup#1:ok'])
    expect(fake.primary.calls).toHaveLength(1)
  })

  it('answers 429 with the shortest Retry-After when every target is rate limited', async () => {
    const { gateway, fake, sleeps } = await setup(
      {
        primary: [error(429, { headers: { 'retry-after': '7' } })],
        backup: [error(429, { headers: { 'retry-after': '3' } })],
      },
      { route: { retry: { max_retry_after_s: 1 } } },
    )
    const res = await chat(gateway, ASK)
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('3')
    expect(res.json!.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' })
    expect(res.attempts).toBe(2)
    expect(attemptsOf(res.trace)).toEqual(['primary#1:429', 'backup#1:429'])
    expect(sleeps).toEqual([])
    expect(fake.primary.calls).toHaveLength(1)
    expect(fake.backup.calls).toHaveLength(1)
  })
})

describe('server and client errors', () => {
  it('retries a 503 with capped exponential backoff, then falls back', async () => {
    // random() = 0.999 draws the top of each full-jitter interval: 0.999 * min(cap, 20 * 2^(n-1)).
    const { gateway, fake, sleeps } = await setup(
      { primary: [error(503)], backup: [ok('backup')] },
      {
        route: { retry: { attempts: 4, initial_backoff_ms: 20, max_backoff_ms: 50 } },
        deps: { random: () => 0.999 },
      },
    )
    const res = await chat(gateway, ASK)
    expect(res.status).toBe(200)
    expect(res.json!.choices[0].message.content).toBe('backup')
    expect(sleeps).toHaveLength(3)
    expect(sleeps[0]).toBeCloseTo(19.98, 6)
    expect(sleeps[1]).toBeCloseTo(39.96, 6)
    expect(sleeps[2]).toBeCloseTo(49.95, 6)
    expect(res.attempts).toBe(5)
    expect(attemptsOf(res.trace)).toEqual([
      'primary#1:503',
      'primary#2:503',
      'primary#3:503',
      'primary#4:503',
      'backup#1:ok',
    ])
    expect(fake.primary.calls).toHaveLength(4)
    expect(fake.backup.calls).toHaveLength(1)
  })

  it('draws each real backoff from [0, min(cap, base * 2^(n-1))) and waits it before the retry', async () => {
    const sleep = recordingSleep({ real: true })
    const { gateway, fake } = await setup(
      { primary: [error(500)] },
      {
        route: { retry: { attempts: 5, initial_backoff_ms: 20, max_backoff_ms: 60 } },
        deps: { sleep: sleep.sleep },
      },
    )
    const res = await chat(gateway, ASK)
    expect(res.status).toBe(502)
    expect(res.json!.error.code).toBe('upstream_error')
    expect(res.attempts).toBe(5)
    const ceilings = [20, 40, 60, 60]
    expect(sleep.delaysMs).toHaveLength(ceilings.length)
    sleep.delaysMs.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(0)
      expect(delay).toBeLessThan(ceilings[i]!)
      const gapMs = fake.primary.calls[i + 1]!.atMs - fake.primary.calls[i]!.atMs
      // Timers may fire a millisecond or so early by performance.now(): allow for it.
      expect(gapMs).toBeGreaterThanOrEqual(delay - 3)
    })
  })

  it('passes a 400 to the client: no retry, no fallback', async () => {
    const { gateway, fake, sleeps } = await setup({
      primary: [error(400, { message: "Invalid value for 'temperature'" })],
      backup: [ok('backup')],
    })
    const res = await chat(gateway, ASK)
    expect(res.status).toBe(400)
    expect(res.json!.error.code).toBe('upstream_bad_request')
    expect(res.json!.error.message).toContain("Invalid value for 'temperature'")
    expect(res.attempts).toBe(1)
    expect(attemptsOf(res.trace)).toEqual(['primary#1:400'])
    expect(sleeps).toEqual([])
    expect(fake.primary.calls).toHaveLength(1)
    expect(fake.backup.calls).toHaveLength(0)
  })

  it('falls back on a 401 by default (fallback_on includes auth), without retrying it', async () => {
    const { gateway, fake, sleeps } = await setup({ primary: [error(401)], backup: [ok('backup')] })
    const res = await chat(gateway, ASK)
    expect(res.status).toBe(200)
    expect(res.json!.choices[0].message.content).toBe('backup')
    expect(attemptsOf(res.trace)).toEqual(['primary#1:401', 'backup#1:ok'])
    expect(sleeps).toEqual([])
    expect(fake.primary.calls).toHaveLength(1)
  })

  it('stops at a 401 when the route sets fallback_on: []', async () => {
    const { gateway, fake } = await setup(
      { primary: [error(401)], backup: [ok('backup')] },
      { route: { fallback_on: [] } },
    )
    const res = await chat(gateway, ASK)
    expect(res.status).toBe(502)
    expect(res.json!.error.message).toContain('primary: HTTP 401')
    expect(res.attempts).toBe(1)
    expect(fake.primary.calls).toHaveLength(1)
    expect(fake.backup.calls).toHaveLength(0)
  })

  it('falls back on a 501 (server, not worth a retry)', async () => {
    const { gateway, fake } = await setup({ primary: [error(501)], backup: [ok('backup')] })
    const res = await chat(gateway, ASK)
    expect(res.status).toBe(200)
    expect(attemptsOf(res.trace)).toEqual(['primary#1:501', 'backup#1:ok'])
    expect(fake.primary.calls).toHaveLength(1)
  })
})

describe('lost connections', () => {
  it('retries a reset connection on the same target', async () => {
    const { gateway, fake, sleeps } = await setup({
      primary: [reset(), ok('second try')],
      backup: [ok('backup')],
    })
    const res = await chat(gateway, ASK)
    expect(res.status).toBe(200)
    expect(res.json!.choices[0].message.content).toBe('second try')
    expect(attemptsOf(res.trace)).toEqual(['primary#1:connection', 'primary#2:ok'])
    expect(sleeps).toHaveLength(1)
    expect(fake.primary.calls).toHaveLength(2)
    expect(fake.backup.calls).toHaveLength(0)
  })

  it('falls back when the connection is refused', async () => {
    const dead = `http://127.0.0.1:${await unusedPort()}/v1`
    const { gateway, fake } = await setup({ dead, backup: [ok('backup')] })
    const res = await chat(gateway, ASK)
    expect(res.status).toBe(200)
    expect(res.json!.choices[0].message.content).toBe('backup')
    expect(attemptsOf(res.trace)).toEqual(['dead#1:connection', 'dead#2:connection', 'backup#1:ok'])
    expect(res.elapsedMs).toBeLessThan(1000)
    expect(fake.backup.calls).toHaveLength(1)
  })

  it('answers 503 when no target can be reached', async () => {
    const dead = `http://127.0.0.1:${await unusedPort()}/v1`
    const { gateway } = await setup({ dead }, { route: { retry: { attempts: 1 } } })
    const res = await chat(gateway, ASK)
    expect(res.status).toBe(503)
    expect(res.json!.error.code).toBe('upstream_unavailable')
  })
})

describe('timeouts', () => {
  it('stream: no headers within ttfb_ms gives 504, and the upstream call is aborted', async () => {
    const { gateway, fake } = await setup(
      { primary: [stall()] },
      { route: { retry: { attempts: 1 }, timeouts: { ttfb_ms: 150 } } },
    )
    const res = await chat(gateway, ASK_STREAM)
    expect(res.status).toBe(504)
    expect(res.json!.error.code).toBe('upstream_timeout')
    expect(res.elapsedMs).toBeGreaterThanOrEqual(140)
    expect(res.elapsedMs).toBeLessThan(1000)
    expect(res.trace!.attempts).toMatchObject([{ target: 'primary', ok: false, failure: 'timeout' }])
    expect(await within(fake.primary.calls[0]!.aborted, 1000, 'upstream call closed')).toBe(true)
  })

  it('stream: headers but no first event within ttfb_ms falls back to the next target', async () => {
    const { gateway, fake } = await setup(
      { primary: [stallMidStream([])], backup: [sse(chunks('from backup'))] },
      { route: { retry: { attempts: 1 }, timeouts: { ttfb_ms: 150 } } },
    )
    const res = await chat(gateway, ASK_STREAM)
    expect(res.status).toBe(200)
    expect(streamedText(res.events)).toBe('from backup')
    expect(res.events.at(-1)).toBe('[DONE]')
    expect(attemptsOf(res.trace)).toEqual(['primary#1:timeout', 'backup#1:ok'])
    expect(res.elapsedMs).toBeGreaterThanOrEqual(140)
    expect(res.elapsedMs).toBeLessThan(1000)
    expect(await within(fake.primary.calls[0]!.aborted, 1000, 'upstream call closed')).toBe(true)
  })

  it('non-stream: no answer within attempt_ms falls back, and the upstream call is aborted', async () => {
    const { gateway, fake } = await setup(
      { primary: [stall()], backup: [ok('backup')] },
      { route: { retry: { attempts: 1 }, timeouts: { attempt_ms: 150 } } },
    )
    const res = await chat(gateway, ASK)
    expect(res.status).toBe(200)
    expect(res.json!.choices[0].message.content).toBe('backup')
    expect(attemptsOf(res.trace)).toEqual(['primary#1:timeout', 'backup#1:ok'])
    expect(res.elapsedMs).toBeGreaterThanOrEqual(140)
    expect(res.elapsedMs).toBeLessThan(1000)
    expect(await within(fake.primary.calls[0]!.aborted, 1000, 'upstream call closed')).toBe(true)
  })

  it('mid-stream silence past idle_ms: the events so far, an error event, no [DONE]', async () => {
    const sent = chunks('hello world').slice(0, 3)
    const { gateway, fake } = await setup(
      { primary: [stallMidStream(sent)], backup: [sse(chunks('from backup'))] },
      { route: { timeouts: { idle_ms: 150 } } },
    )
    const res = await chat(gateway, ASK_STREAM)
    expect(res.status).toBe(200)
    expect(res.events.slice(0, 3).map((e) => JSON.parse(e))).toEqual(sent)
    expect(res.events).toHaveLength(4)
    expect(JSON.parse(res.events[3]!)).toEqual({
      error: {
        message: expect.stringContaining('idle timeout'),
        type: 'server_error',
        code: 'upstream_error',
        param: null,
      },
    })
    expect(res.events).not.toContain('[DONE]')
    expect(res.elapsedMs).toBeGreaterThanOrEqual(140)
    expect(res.elapsedMs).toBeLessThan(1000)
    // After the first byte there is no going back: no retry, no fallback.
    expect(fake.primary.calls).toHaveLength(1)
    expect(fake.backup.calls).toHaveLength(0)
    expect(await within(fake.primary.calls[0]!.aborted, 1000, 'upstream call closed')).toBe(true)
  })

  it('a stream dripping slower than idle_ms in total, but faster per event, completes', async () => {
    const { gateway } = await setup(
      { primary: [sse(chunks('slow but steady'), { gapMs: 50 })] },
      // 200 ms of slack per event: a loaded test machine must not pass for an idle upstream.
      { route: { timeouts: { ttfb_ms: 250, idle_ms: 250 } } },
    )
    const res = await chat(gateway, ASK_STREAM)
    expect(res.status).toBe(200)
    expect(streamedText(res.events)).toBe('slow but steady')
    expect(res.events.at(-1)).toBe('[DONE]')
    expect(res.events.some((e) => e.includes('"error"'))).toBe(false)
    // Eight writes 50 ms apart: longer than idle_ms overall, so the idle timer was restarted.
    expect(res.elapsedMs).toBeGreaterThan(350)
    expect(res.attempts).toBe(1)
  })

  it('the caller deadline (x-gatehouse-timeout-ms: 300) gives 504 in about 300 ms, no further attempts', async () => {
    const { gateway, fake } = await setup(
      { primary: [stall()], backup: [stall()] },
      { route: { retry: { attempts: 3 } } },
    )
    const res = await chat(gateway, ASK, { headers: { 'x-gatehouse-timeout-ms': '300' } })
    expect(res.status).toBe(504)
    expect(res.json!.error.code).toBe('upstream_timeout')
    expect(res.elapsedMs).toBeGreaterThanOrEqual(290)
    expect(res.elapsedMs).toBeLessThan(800)
    expect(res.attempts).toBe(1)
    expect(fake.primary.calls).toHaveLength(1)
    expect(fake.backup.calls).toHaveLength(0)
    expect(await within(fake.primary.calls[0]!.aborted, 1000, 'upstream call closed')).toBe(true)
  })

  it('a request deadline whose timer fires a hair early by the monotonic clock still ends the request', async () => {
    // Regression: timers run on libuv's millisecond loop clock, so the one standing for the
    // request's deadline can fire while performance.now() still reads just before it; the busier
    // the event loop, the staler that clock. Execute then started another attempt with a 1 ms
    // budget, and some requests reached the backup after their deadline. Bursts of concurrent
    // short deadlines caught that in every run against the old code.
    const { gateway, fake } = await setup(
      { primary: [stall()], backup: [stall()] },
      { route: { retry: { attempts: 3 } }, routing: { breaker: { enabled: false } } },
    )
    const attempts: Array<number | undefined> = []
    for (let round = 0; round < 6; round++) {
      const burst = Array.from({ length: 10 }, (_, i) =>
        chat(gateway, ASK, { headers: { 'x-gatehouse-timeout-ms': String(15 + (i % 7)) } }),
      )
      for (const res of await Promise.all(burst)) {
        expect(res.status).toBe(504)
        attempts.push(res.attempts)
      }
    }
    // Under load a deadline may even pass before the first attempt (no header then), never after it.
    expect(attempts.filter((n) => n !== undefined && n > 1)).toEqual([])
    expect(fake.backup.calls).toHaveLength(0)
  })

  it('a deadline spent before the first attempt gives 504, not a claim that every breaker is open', async () => {
    // Token counting (for the cost ceiling) made slow: routing alone outlasts the 5 ms deadline.
    const slowTokens = {
      async countChatInput() {
        await setTimeout(30)
        return 10
      },
      countText: async () => 10,
      preload: async () => {},
    }
    const { gateway, fake } = await setup(
      { primary: [ok()] },
      { model: { price: { input: 1, output: 1 } }, deps: { tokens: slowTokens } },
    )
    const res = await chat(gateway, ASK, {
      headers: { 'x-gatehouse-timeout-ms': '5', 'x-gatehouse-max-cost-usd': '1' },
    })
    expect(res.status).toBe(504)
    expect(res.json!.error).toMatchObject({
      code: 'upstream_timeout',
      message: expect.stringContaining('deadline passed before any target was tried'),
    })
    expect(fake.primary.calls).toHaveLength(0)
  })
})

describe('cut streams', () => {
  it('a stream cut before its first event is retried, then falls back', async () => {
    const { gateway, fake } = await setup({
      primary: [sse([], { done: false })],
      backup: [sse(chunks('from backup'))],
    })
    const res = await chat(gateway, ASK_STREAM)
    expect(res.status).toBe(200)
    expect(streamedText(res.events)).toBe('from backup')
    expect(res.events.at(-1)).toBe('[DONE]')
    expect(attemptsOf(res.trace)).toEqual(['primary#1:stream_cut', 'primary#2:stream_cut', 'backup#1:ok'])
    expect(fake.primary.calls).toHaveLength(2)
  })

  it.each([
    ['closed', 'end'],
    ['reset', 'reset'],
  ] as const)('a stream %s after its first events ends with an error event, no [DONE]', async (_, ending) => {
    const sent = chunks('hello').slice(0, 2)
    const { gateway, fake } = await setup({
      primary: [sse(sent, { done: false, ending })],
      backup: [sse(chunks('from backup'))],
    })
    const res = await chat(gateway, ASK_STREAM)
    expect(res.status).toBe(200)
    expect(res.events.slice(0, 2).map((e) => JSON.parse(e))).toEqual(sent)
    expect(res.events).toHaveLength(3)
    expect(JSON.parse(res.events[2]!).error.code).toBe('upstream_error')
    expect(res.events).not.toContain('[DONE]')
    expect(fake.primary.calls).toHaveLength(1)
    expect(fake.backup.calls).toHaveLength(0)
  })
})

describe('garbled answers', () => {
  it('retries malformed JSON with a 200 (invalid_response), then falls back', async () => {
    const { gateway, fake } = await setup({
      primary: [raw('{"id":"chatcmpl-1","object":"chat.completion","choices":[{"ind')],
      backup: [ok('backup')],
    })
    const res = await chat(gateway, ASK)
    expect(res.status).toBe(200)
    expect(res.json!.choices[0].message.content).toBe('backup')
    expect(attemptsOf(res.trace)).toEqual([
      'primary#1:invalid_response',
      'primary#2:invalid_response',
      'backup#1:ok',
    ])
    expect(fake.primary.calls).toHaveLength(2)
  })

  it('ends a stream with an error event when an event is not JSON', async () => {
    const { gateway } = await setup({
      primary: [rawSse(`${sseData(chunks('hi').slice(0, 2))}data: {"choices": [\n\n`)],
    })
    const res = await chat(gateway, ASK_STREAM)
    expect(res.status).toBe(200)
    expect(res.events).toHaveLength(3)
    expect(JSON.parse(res.events[2]!).error.message).toContain('not JSON')
  })
})

describe('circuit breaker', () => {
  const ADMIN_KEY = 'admin-test-key-123456'

  async function breakerOf(gateway: TestGateway, target: string) {
    const res = await fetch(`${gateway.url}/admin/breakers`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      signal: AbortSignal.timeout(5000),
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { data: Array<Record<string, unknown>> }
    return body.data.find((b) => b.target === target)
  }

  async function breakerSetup(primary: Step[]) {
    const clock = adjustableClock()
    const env = await setup(
      { primary, backup: [ok('backup')] },
      {
        route: { retry: { attempts: 1 } },
        routing: { breaker: { failure_threshold: 2, cooldown_s: 30, min_requests: 100 } },
        admin: { api_key: ADMIN_KEY },
        deps: { breakers: new BreakerRegistry(clock.now) },
      },
    )
    return { ...env, clock }
  }

  it('opens after 2 failures, skips the target, lets one probe through after the cooldown, closes on success', async () => {
    const { gateway, fake, clock } = await breakerSetup([error(500), error(500), ok('recovered')])

    // 1. Two failures in a row, each rescued by the backup.
    for (let i = 0; i < 2; i++) {
      const res = await chat(gateway, ASK)
      expect(res.json!.choices[0].message.content).toBe('backup')
      expect(attemptsOf(res.trace)).toEqual(['primary#1:500', 'backup#1:ok'])
    }
    expect(await breakerOf(gateway, 'primary')).toMatchObject({
      state: 'open',
      consecutive_failures: 2,
      retry_at: expect.any(String),
    })
    expect(await breakerOf(gateway, 'backup')).toMatchObject({ state: 'closed' })

    // 2. Open: the primary is skipped without a call.
    for (let i = 0; i < 3; i++) {
      const res = await chat(gateway, ASK)
      expect(res.json!.choices[0].message.content).toBe('backup')
      expect(res.trace!.candidates).toContainEqual({ target: 'primary', skipped: 'circuit_open' })
      expect(attemptsOf(res.trace)).toEqual(['backup#1:ok'])
    }
    expect(fake.primary.calls).toHaveLength(2)
    // Asked for by name, the primary alone has no target left.
    const direct = await chat(gateway, { ...ASK, model: 'primary' })
    expect(direct.status).toBe(503)
    expect(direct.json!.error.message).toContain('every circuit breaker is open')
    expect(fake.primary.calls).toHaveLength(2)

    // 3. After the cooldown: half-open, one probe goes through, its success closes the breaker.
    clock.advance(30_000)
    expect(await breakerOf(gateway, 'primary')).toMatchObject({ state: 'half_open' })
    const probe = await chat(gateway, ASK)
    expect(probe.json!.choices[0].message.content).toBe('recovered')
    expect(attemptsOf(probe.trace)).toEqual(['primary#1:ok'])
    expect(fake.primary.calls).toHaveLength(3)
    expect(await breakerOf(gateway, 'primary')).toMatchObject({ state: 'closed', consecutive_failures: 0 })
    expect((await chat(gateway, ASK)).json!.choices[0].message.content).toBe('recovered')
    expect(fake.primary.calls).toHaveLength(4)
  })

  it('a failed probe opens the breaker for another cooldown', async () => {
    const { gateway, fake, clock } = await breakerSetup([error(500)])
    for (let i = 0; i < 2; i++) await chat(gateway, ASK)
    clock.advance(30_000)
    const probe = await chat(gateway, ASK)
    expect(attemptsOf(probe.trace)).toEqual(['primary#1:500', 'backup#1:ok'])
    expect(await breakerOf(gateway, 'primary')).toMatchObject({ state: 'open' })
    const next = await chat(gateway, ASK)
    expect(next.trace!.candidates).toContainEqual({ target: 'primary', skipped: 'circuit_open' })
    expect(fake.primary.calls).toHaveLength(3)
  })

  it('a caller’s bad request (400) and an unknown model (404) do not count against the target', async () => {
    const { gateway, fake } = await breakerSetup([error(400), error(400), error(404), error(404), ok('fine')])
    expect((await chat(gateway, ASK)).status).toBe(400)
    expect((await chat(gateway, ASK)).status).toBe(400)
    // 404 falls back (fallback_on includes not_found), still without counting.
    for (let i = 0; i < 2; i++) expect((await chat(gateway, ASK)).status).toBe(200)
    expect(await breakerOf(gateway, 'primary')).toMatchObject({ state: 'closed', consecutive_failures: 0 })
    const res = await chat(gateway, ASK)
    expect(attemptsOf(res.trace)).toEqual(['primary#1:ok'])
    expect(fake.primary.calls).toHaveLength(5)
  })

  it('/admin/breakers needs an admin credential (401 without or with a wrong one)', async () => {
    const { gateway } = await breakerSetup([ok()])
    const anonymous = await fetch(`${gateway.url}/admin/breakers`, { signal: AbortSignal.timeout(5000) })
    expect(anonymous.status).toBe(401)
    const wrong = await fetch(`${gateway.url}/admin/breakers`, {
      headers: { authorization: 'Bearer not-the-key' },
      signal: AbortSignal.timeout(5000),
    })
    expect(wrong.status).toBe(401)

    const { gateway: noAdmin } = await setup({ primary: [ok()] })
    const off = await fetch(`${noAdmin.url}/admin/breakers`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      signal: AbortSignal.timeout(5000),
    })
    expect(off.status).toBe(401)
    expect(((await off.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key')
  })
})
