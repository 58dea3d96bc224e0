import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  chunks,
  completion,
  error,
  type FakeOpenAI,
  json,
  type Step,
  sse,
  stall,
  startFakeOpenAI,
} from '../fakes/openai.js'
import { postJson, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { parseStream } from '../helpers/sse.js'

/** The HTTP contract: status codes, error bodies, headers, streams and cancellation. */
describe('HTTP surface', () => {
  let fake: FakeOpenAI
  let gateway: TestGateway
  const steps = new Map<string, Step>()
  /** The fake picks its answer by the request's `user` field, which the gateway passes through. */
  const use = (name: string, step: Step) => {
    steps.set(name, step)
    return name
  }
  const chat = (extra: Record<string, unknown> = {}) => ({
    model: 'up',
    messages: [{ role: 'user', content: 'hi' }],
    ...extra,
  })

  beforeAll(async () => {
    fake = await startFakeOpenAI((call) => steps.get(String(call.body.user)) ?? json(completion('ok')))
    gateway = await startTestGateway({
      server: { body_limit_mb: 0.01 },
      providers: {
        up: { kind: 'openai-compatible', base_url: fake.url, timeout_ms: 400 },
        sim: { kind: 'simulated' },
      },
      models: {
        up: { provider: 'up' },
        'sim-fast': { provider: 'sim' },
        'sim-embed': { provider: 'sim', type: 'embeddings' },
        'meta-llama/Llama-3.1-8B-Instruct': { provider: 'sim' },
      },
      routes: { resilient: { targets: ['up', 'sim-fast'] } },
      routing: { retry: { attempts: 1 } },
    })
  })
  afterAll(async () => {
    await gateway?.close()
    await fake?.close()
  })

  const url = (path: string) => `${gateway.url}${path}`

  describe('errors in OpenAI shape with precise statuses', () => {
    it('404 model_not_found for an unknown model', async () => {
      const res = await postJson(url('/v1/chat/completions'), chat({ model: 'gpt4o' }))
      expect(res.status).toBe(404)
      expect(res.json).toEqual({
        error: {
          message: expect.stringContaining("'gpt4o' does not exist"),
          type: 'invalid_request_error',
          code: 'model_not_found',
          param: 'model',
        },
      })
    })

    it('404 unknown_url for an unknown route, same shape', async () => {
      const res = await postJson(url('/v1/completions/legacy'), {})
      expect(res.status).toBe(404)
      expect(res.json.error).toMatchObject({ code: 'unknown_url', type: 'invalid_request_error' })
      expect(res.headers.get('x-gatehouse-request-id')).toBeTruthy()
    })

    it('400 invalid_json for malformed JSON, without a stack trace', async () => {
      const res = await postJson(url('/v1/chat/completions'), '{"model": "sim-fast", "messages": [')
      expect(res.status).toBe(400)
      expect(res.json.error.code).toBe('invalid_json')
      expect(res.text).not.toMatch(/at .*\.(js|ts):\d+/)
    })

    it.each([
      [{ model: 'sim-fast' }, 'messages'],
      [{ model: 42, messages: [{ role: 'user', content: 'x' }] }, 'model'],
      [chat({ model: 'sim-fast', temperature: 'hot' }), 'temperature'],
      [chat({ model: 'sim-fast', n: 0 }), 'n'],
      [chat({ model: 'sim-fast', stream: 'yes' }), 'stream'],
      [chat({ model: 'sim-fast', tools: [{ type: 'function', function: {} }] }), 'tools[0].function.name'],
      [chat({ model: 'sim-fast', tool_choice: 'sometimes' }), 'tool_choice'],
      [chat({ model: 'sim-fast', response_format: { type: 'yaml' } }), 'response_format.type'],
      [
        { model: 'sim-fast', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] },
        'messages[0].content[0].image_url.url',
      ],
      [{ model: 'sim-fast', messages: [{ role: 'tool', content: 'r' }] }, 'messages[0].tool_call_id'],
    ])('400 naming the field for %j', async (body, param) => {
      const res = await postJson(url('/v1/chat/completions'), body)
      expect(res.status).toBe(400)
      expect(res.json.error.param).toBe(param)
      expect(res.json.error.message).toContain(param)
    })

    it('400 when the body is not an object', async () => {
      const res = await postJson(url('/v1/chat/completions'), '[1,2]')
      expect(res.status).toBe(400)
      expect(res.json.error.type).toBe('invalid_request_error')
    })

    it('400 for an embeddings model used for chat, and the reverse', async () => {
      const a = await postJson(url('/v1/chat/completions'), chat({ model: 'sim-embed' }))
      expect(a.status).toBe(400)
      expect(a.json.error.message).toContain('/v1/embeddings')
      const b = await postJson(url('/v1/embeddings'), { model: 'sim-fast', input: 'x' })
      expect(b.status).toBe(400)
      expect(b.json.error.message).toContain('/v1/chat/completions')
    })

    it('400 for bad embeddings input', async () => {
      const res = await postJson(url('/v1/embeddings'), { model: 'sim-embed', input: [] })
      expect(res.status).toBe(400)
      expect(res.json.error.param).toBe('input')
    })

    it('413 for a body over the limit', async () => {
      const res = await postJson(
        url('/v1/chat/completions'),
        chat({ model: 'sim-fast', messages: [{ role: 'user', content: 'x'.repeat(20_000) }] }),
      )
      expect(res.status).toBe(413)
      expect(res.json.error.code).toBe('request_too_large')
    })

    it('415 for a body that is not JSON', async () => {
      const res = await fetch(url('/v1/chat/completions'), {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: 'a,b',
      })
      expect(res.status).toBe(415)
      expect(((await res.json()) as any).error.code).toBe('unsupported_media_type')
    })

    it('504 when the provider does not answer in time', async () => {
      const res = await postJson(url('/v1/chat/completions'), chat({ user: use('stall', stall()) }))
      expect(res.status).toBe(504)
      expect(res.json.error.code).toBe('upstream_timeout')
    })

    it('400 for a malformed x-gatehouse-simulate header', async () => {
      const res = await postJson(url('/v1/chat/completions'), chat({ model: 'sim-fast' }), {
        'x-gatehouse-simulate': 'fail_status=42',
      })
      expect(res.status).toBe(400)
      expect(res.json.error.param).toBe('x-gatehouse-simulate')
    })
  })

  describe('headers', () => {
    it('every response carries a request id; a malformed caller id is replaced', async () => {
      const bad = await postJson(url('/v1/chat/completions'), chat({ model: 'sim-fast' }), {
        'x-gatehouse-request-id': 'bad id with spaces',
      })
      expect(bad.headers.get('x-gatehouse-request-id')).toMatch(/^[0-9a-f-]{36}$/)
      const health = await fetch(url('/healthz'))
      expect(health.headers.get('x-gatehouse-request-id')).toBeTruthy()
    })

    it('the request id appears on the log line of the request', async () => {
      await postJson(url('/v1/chat/completions'), chat({ model: 'sim-fast' }), {
        'x-gatehouse-request-id': 'trace-me-1',
      })
      const line = gateway.logs.find((l) => l.request_id === 'trace-me-1' && l.msg === 'request completed')
      expect(line).toMatchObject({ provider: 'sim', served_model: 'sim-fast', status: 200, attempts: 1 })
    })

    it('a model name with a slash is served and retrievable', async () => {
      const res = await postJson(
        url('/v1/chat/completions'),
        chat({ model: 'meta-llama/Llama-3.1-8B-Instruct' }),
      )
      expect(res.status).toBe(200)
      const model = (await (await fetch(url('/v1/models/meta-llama/Llama-3.1-8B-Instruct'))).json()) as any
      expect(model.id).toBe('meta-llama/Llama-3.1-8B-Instruct')
    })
  })

  describe('health', () => {
    it('/healthz and /readyz answer 200', async () => {
      expect((await fetch(url('/healthz'))).status).toBe(200)
      expect(await (await fetch(url('/readyz'))).json()).toEqual({ status: 'ready' })
    })
  })

  describe('streams', () => {
    it('falls back to the next target when a stream fails before its first byte', async () => {
      const res = await postJson(
        url('/v1/chat/completions'),
        chat({ model: 'resilient', stream: true, user: use('s503', error(503)) }),
      )
      expect(res.status).toBe(200)
      expect(res.headers.get('x-gatehouse-attempts')).toBe('2')
      expect(res.text.trim().endsWith('data: [DONE]')).toBe(true)
      expect(parseStream(res.text).content).toContain('Simulated reply from sim-fast')
    })

    it('ends a stream that fails after its first byte with an error event and no [DONE]', async () => {
      const res = await postJson(
        url('/v1/chat/completions'),
        chat({
          model: 'resilient',
          stream: true,
          user: use('cut', sse(chunks('partial answer'), { done: false })),
        }),
      )
      expect(res.status).toBe(200)
      const events = res.text.split('\n\n').filter(Boolean)
      expect(events.some((e) => e.includes('partial answer'.slice(0, 4)))).toBe(true)
      expect(JSON.parse(events.at(-1)!.slice(6)).error.code).toBe('upstream_error')
      expect(res.text).not.toContain('[DONE]')
    })

    it('ends a stream the request deadline overtakes with a timeout error event, not a clean end', async () => {
      const res = await postJson(url('/v1/chat/completions'), chat({ model: 'sim-fast', stream: true }), {
        'x-gatehouse-simulate': 'chunk_delay_ms=40, chunk_chars=2',
        'x-gatehouse-timeout-ms': '150',
      })
      expect(res.status).toBe(200)
      const events = res.text.split('\n\n').filter(Boolean)
      expect(events.length).toBeGreaterThan(2)
      expect(res.text).not.toContain('[DONE]')
      const last = JSON.parse(events.at(-1)!.slice(6))
      expect(last.error.code).toBe('upstream_error')
      expect(last.error.message).toContain('total timeout')
    })

    it('cancels the upstream call when the client disconnects mid-stream', async () => {
      const many = chunks('x'.repeat(400), { pieceChars: 1 })
      steps.set('slow', sse(many, { gapMs: 20 }))
      const callsBefore = fake.calls.length
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(
          url('/v1/chat/completions'),
          { method: 'POST', headers: { 'content-type': 'application/json' } },
          (res) => {
            res.once('data', () => {
              // First bytes are here: hang up.
              req.destroy()
              resolve()
            })
          },
        )
        req.on('error', () => {})
        req.end(JSON.stringify(chat({ stream: true, user: 'slow' })))
        setTimeout(() => reject(new Error('no data')), 5000)
      })
      const call = fake.calls[callsBefore]!
      const aborted = await Promise.race([
        call.aborted,
        new Promise((r) => setTimeout(() => r('timeout'), 3000)),
      ])
      expect(aborted).toBe(true)
    })
  })
})
