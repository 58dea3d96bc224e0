import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Step as AnthropicStep,
  error as anthropicError,
  type FakeAnthropic,
  message,
  rawSse as rawAnthropicSse,
  startFakeAnthropic,
} from '../fakes/anthropic.js'
import { completion, error, type FakeOpenAI, json, type Step, startFakeOpenAI } from '../fakes/openai.js'
import { postJson, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { postWithTrailers } from '../helpers/sse.js'

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')

/** Parse Anthropic SSE frames, checking that each `event:` line names its data's `type`. */
function frames(text: string): Array<Record<string, any>> {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      const [eventLine, dataLine, ...rest] = frame.split('\n')
      expect(rest).toEqual([])
      const data = JSON.parse(dataLine!.replace(/^data: /, ''))
      expect(eventLine).toBe(`event: ${data.type}`)
      return data
    })
}

/**
 * `POST /v1/messages` over a real socket: Anthropic's wire format in and out, in front of an
 * OpenAI model and an Anthropic one, with Anthropic's error shapes.
 */
describe('POST /v1/messages', () => {
  let openai: FakeOpenAI
  let anthropic: FakeAnthropic
  let gateway: TestGateway
  const openaiSteps = new Map<string, Step>()
  const anthropicSteps = new Map<string, AnthropicStep>()
  const url = () => `${gateway.url}/v1/messages`
  const ask = (model: string, name: string, extra: object = {}) => ({
    model,
    max_tokens: 64,
    messages: [{ role: 'user', content: 'hi' }],
    metadata: { user_id: name },
    ...extra,
  })

  beforeAll(async () => {
    openai = await startFakeOpenAI(
      (call) => openaiSteps.get(String(call.body.user)) ?? json(completion('default')),
    )
    anthropic = await startFakeAnthropic(
      (call) => anthropicSteps.get(String(call.body.metadata?.user_id)) ?? message({}),
      { apiKey: 'sk-ant-upstream' },
    )
    gateway = await startTestGateway({
      server: { body_limit_mb: 0.01 },
      providers: {
        openai: { kind: 'openai', base_url: openai.url, api_key: 'sk-upstream' },
        anthropic: { kind: 'anthropic', base_url: anthropic.url, api_key: 'sk-ant-upstream' },
        nowhere: { kind: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1' },
      },
      models: {
        'gpt-4o': { provider: 'openai' },
        claude: { provider: 'anthropic', model: 'claude-sonnet-4-20250514' },
        unreachable: { provider: 'nowhere' },
      },
      routing: { retry: { attempts: 1 }, breaker: { enabled: false } },
    })
  })
  afterAll(async () => {
    await gateway?.close()
    await openai?.close()
    await anthropic?.close()
  })

  it('answers in Anthropic’s shape, accepting x-api-key, and never forwards the caller key', async () => {
    openaiSteps.set('plain', json(completion('hello')))
    const res = await postJson(url(), ask('gpt-4o', 'plain', { temperature: 0.3 }), {
      'x-api-key': 'caller-key',
      'anthropic-version': '2023-06-01',
    })
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'hello' }],
    })
    expect(res.headers.get('request-id')).toBe(res.headers.get('x-gatehouse-request-id'))
    const call = openai.calls.find((c) => c.body.user === 'plain')!
    expect(call.body.temperature).toBe(0.3)
    expect(call.headers.authorization).toBe('Bearer sk-upstream')
    expect(JSON.stringify(call.headers)).not.toContain('caller-key')
  })

  it('streams Anthropic frames (event line = data type) from an OpenAI stream', async () => {
    openaiSteps.set('stream', {
      type: 'sse',
      payload: fixture('openai/chat-stream-text.sse'),
      splitAt: 'random',
      gapMs: 0,
      ending: 'end',
    })
    const res = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer caller-key' },
      body: JSON.stringify(ask('gpt-4o', 'stream', { stream: true })),
    })
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const events = frames(await res.text())
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ])
  })

  it('round-trips an Anthropic model: cache usage and the stream survive both translations', async () => {
    anthropicSteps.set('cached', message(JSON.parse(fixture('anthropic/message-text.json'))))
    const res = await postJson(url(), ask('claude', 'cached'))
    expect(res.json.usage).toEqual({
      input_tokens: 21,
      output_tokens: 9,
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 2048,
    })
    anthropicSteps.set(
      'relay',
      rawAnthropicSse(fixture('anthropic/stream-tool-use.sse'), { splitAt: 'random' }),
    )
    const streamed = await postJson(url(), ask('claude', 'relay', { stream: true }))
    const events = frames(streamed.text)
    const original = frames(fixture('anthropic/stream-tool-use.sse')).filter(
      (e) => e.type !== 'ping' && e.delta?.partial_json !== '',
    )
    const blocks = (list: Array<Record<string, any>>) =>
      list.filter((e) => e.type.startsWith('content_block'))
    expect(blocks(events)).toEqual(blocks(original))
    expect(events.at(-2)).toMatchObject({
      delta: { stop_reason: 'tool_use' },
      usage: { input_tokens: 472, output_tokens: 89 },
    })
  })

  it('ends a stream that fails mid-way with an error event of the matching type', async () => {
    anthropicSteps.set('mid', rawAnthropicSse(fixture('anthropic/stream-error.sse')))
    const res = await postJson(url(), ask('claude', 'mid', { stream: true }))
    const events = frames(res.text)
    expect(events.at(-1)).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'The provider stream failed: Overloaded' },
    })
    expect(events.map((e) => e.type)).not.toContain('message_stop')
  })

  it.each([
    ['invalid JSON', () => postJson(url(), '{'), 400, 'invalid_request_error'],
    [
      'a missing field',
      () => postJson(url(), { model: 'gpt-4o', messages: [] }),
      400,
      'invalid_request_error',
    ],
    ['an unknown model', () => postJson(url(), ask('no-such-model', 'x')), 404, 'not_found_error'],
    [
      'a body over the limit',
      () => postJson(url(), ask('gpt-4o', 'x', { system: 'x'.repeat(20_000) })),
      413,
      'request_too_large',
    ],
    [
      'a body that is not JSON',
      () => postJson(url(), 'a,b', { 'content-type': 'text/csv' }),
      415,
      'invalid_request_error',
    ],
    [
      'an unsupported feature',
      () => postJson(url(), ask('gpt-4o', 'x', { thinking: { type: 'enabled', budget_tokens: 1024 } })),
      400,
      'invalid_request_error',
    ],
    ['an unreachable target', () => postJson(url(), ask('unreachable', 'x')), 503, 'overloaded_error'],
  ])('answers %s with Anthropic’s error shape', async (_what, send, status, type) => {
    const res = await send()
    expect(res.status).toBe(status)
    expect(res.json).toEqual({ type: 'error', error: { type, message: expect.any(String) } })
  })

  it('maps a provider 429 to rate_limit_error with Retry-After, and a provider 400 keeps its message', async () => {
    openaiSteps.set('429', error(429, { headers: { 'retry-after': '5' } }))
    const limited = await postJson(url(), ask('gpt-4o', '429'))
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('5')
    expect(limited.json.error.type).toBe('rate_limit_error')
    anthropicSteps.set('400', anthropicError('invalid_request_error', 'messages.0.content: bad block'))
    const bad = await postJson(url(), ask('claude', '400'))
    expect(bad.status).toBe(400)
    expect(bad.json.error).toEqual({
      type: 'invalid_request_error',
      message: expect.stringContaining('messages.0.content: bad block'),
    })
  })

  it('sends the stream cost as an HTTP trailer, as on the OpenAI surface', async () => {
    const priced = await startTestGateway({
      providers: { sim: { kind: 'simulated' } },
      models: { m: { provider: 'sim', price: { input: 10, output: 30 } } },
    })
    try {
      const { body, trailers } = await postWithTrailers(`${priced.url}/v1/messages`, undefined, {
        model: 'm',
        max_tokens: 64,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      })
      expect(body).toContain('event: message_stop')
      const line = priced.logs.find((l) => l['msg'] === 'request completed')!
      expect(Number(trailers['x-gatehouse-cost-usd'])).toBeGreaterThan(0)
      expect(Number(trailers['x-gatehouse-cost-usd'])).toBe(line['cost_usd'])
    } finally {
      await priced.close()
    }
  })
})
