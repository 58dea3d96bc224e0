import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { error, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai.js'
import { postJson, startTestGateway, type TestGateway } from '../helpers/gateway.js'

describe('/metrics', () => {
  let fake: FakeOpenAI
  let gateway: TestGateway
  beforeAll(async () => {
    fake = await startFakeOpenAI([error(503)])
    gateway = await startTestGateway({
      providers: { up: { kind: 'openai-compatible', base_url: fake.url }, sim: { kind: 'simulated' } },
      models: { down: { provider: 'up' }, 'sim-fast': { provider: 'sim' } },
      routes: { chat: { targets: ['down', 'sim-fast'] } },
      routing: {
        retry: { attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 2 },
        breaker: { failure_threshold: 2 },
      },
    })
  })
  afterAll(async () => {
    await gateway?.close()
    await fake?.close()
  })

  it('counts attempts, retries and fallbacks, and shows breaker states, in Prometheus text', async () => {
    const res = await postJson(`${gateway.baseURL}/chat/completions`, {
      model: 'chat',
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(res.status).toBe(200)
    // The request's log line carries the decision trace, since it retried and fell back.
    const line = gateway.logs.find(
      (l) =>
        l['request_id'] === res.headers.get('x-gatehouse-request-id') && l['msg'] === 'request completed',
    )
    expect(line).toMatchObject({ attempts: 3, trace: { skipped: [] } })
    expect((line!['trace'] as { attempts: string[] }).attempts).toEqual([
      'down#1:503',
      expect.stringMatching(/^down#2:503(\+\d+ms)?$/),
      'sim-fast#1:ok',
    ])
    const scrape = await fetch(`${gateway.url}/metrics`)
    expect(scrape.headers.get('content-type')).toContain('text/plain')
    const text = await scrape.text()
    expect(text).toContain('gatehouse_upstream_attempts_total{target="down",outcome="server"} 2')
    expect(text).toContain('gatehouse_upstream_attempts_total{target="sim-fast",outcome="ok"} 1')
    expect(text).toContain('gatehouse_retries_total{target="down"} 1')
    expect(text).toContain('gatehouse_fallbacks_total{target="down"} 1')
    // Two consecutive failures reach the threshold: the breaker of `down` is open (2).
    expect(text).toContain('gatehouse_circuit_breaker_state{target="down"} 2')
    expect(text).toContain('gatehouse_circuit_breaker_state{target="sim-fast"} 0')
    // Nothing is in flight once the answer is back.
    expect(text).toContain('gatehouse_target_in_flight{target="down"} 0')
    // Requests are recorded by default: the queue holds what the 200 ms batch has not written yet.
    expect(text).toMatch(/gatehouse_request_log_queue_depth [0-3]\n/)
    expect(text).toContain('gatehouse_request_log_dropped_total 0')
  })

  it('has request, upstream and time-to-first-token histograms, and errors by kind with bounded labels', async () => {
    await postJson(`${gateway.baseURL}/chat/completions`, {
      model: 'sim-fast',
      messages: [{ role: 'user', content: 'hi' }],
    })
    const stream = await fetch(`${gateway.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim-fast', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    })
    await stream.text()
    const typo = await postJson(`${gateway.baseURL}/chat/completions`, {
      model: 'no-such-model-1234',
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(typo.status).toBe(404)
    const text = await (await fetch(`${gateway.url}/metrics`)).text()
    expect(text).toMatch(
      /gatehouse_request_duration_seconds_count\{model="sim-fast",tenant="default",status="200"\} 2/,
    )
    expect(text).toMatch(/gatehouse_time_to_first_token_seconds_count\{model="sim-fast",tenant="default"\} 1/)
    expect(text).toMatch(/gatehouse_upstream_duration_seconds_count\{target="down",outcome="server"\} 2/)
    expect(text).toContain('gatehouse_errors_total{model="other",tenant="default",kind="model_not_found"} 1')
    expect(text).not.toContain('no-such-model-1234')
  })
})
