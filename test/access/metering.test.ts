import { afterEach, describe, expect, it } from 'vitest'
import { completion, type FakeOpenAI, json, startFakeOpenAI } from '../fakes/openai.js'
import { openaiConfig, postJson, startTestGateway, type TestGateway } from '../helpers/gateway.js'

const hi = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello to the whole team' }] }

describe('metering', () => {
  let gateway: TestGateway
  let fake: FakeOpenAI | undefined
  afterEach(async () => {
    await gateway?.close()
    await fake?.close()
    fake = undefined
  })

  it('prices the reported usage, cached tokens at the cached rate (catalog price for gpt-4o-mini)', async () => {
    const answer = completion('Hello, team!')
    answer['usage'] = {
      prompt_tokens: 2000,
      completion_tokens: 100,
      total_tokens: 2100,
      prompt_tokens_details: { cached_tokens: 1000 },
    }
    fake = await startFakeOpenAI([json(answer)])
    gateway = await startTestGateway(openaiConfig(fake.url))
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(200)
    // $0.15 input, $0.075 cached input, $0.60 output per million tokens.
    expect(Number(res.headers.get('x-gatehouse-cost-usd'))).toBeCloseTo(
      (1000 * 0.15 + 1000 * 0.075 + 100 * 0.6) / 1e6,
      12,
    )
  })

  it('counts tokens with the tokenizer when the provider reports no usage', async () => {
    const answer = completion('Hello, team! Have a great day.')
    delete answer['usage']
    fake = await startFakeOpenAI([json(answer)])
    gateway = await startTestGateway(openaiConfig(fake.url))
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi)
    expect(res.status).toBe(200)
    const line = gateway.logs.find((l) => l['msg'] === 'request completed')!
    const usage = line['usage'] as { input: number; output: number }
    // o200k: the prompt (6 tokens of text + 3 framing + 3 priming) and 9 tokens of answer.
    expect(usage.input).toBeGreaterThanOrEqual(10)
    expect(usage.input).toBeLessThanOrEqual(14)
    expect(usage.output).toBeGreaterThanOrEqual(8)
    expect(usage.output).toBeLessThanOrEqual(10)
    expect(Number(res.headers.get('x-gatehouse-cost-usd'))).toBeCloseTo(
      (usage.input * 0.15 + usage.output * 0.6) / 1e6,
      12,
    )
  })

  it('meters a stream cut before its usage arrived, without holding up the error', async () => {
    gateway = await startTestGateway({
      providers: { sim: { kind: 'simulated', simulate: { chunk_chars: 4 } } },
      models: { m: { provider: 'sim', price: { input: 1, output: 2 } } },
      routing: { retry: { attempts: 1 } },
    })
    const res = await fetch(`${gateway.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gatehouse-simulate': 'cut_after_chunks=3' },
      body: JSON.stringify({
        model: 'm',
        stream: true,
        messages: [{ role: 'user', content: 'tell me a long story please' }],
      }),
    })
    const text = await res.text()
    expect(text).toContain('"error"')
    await expect.poll(() => gateway.logs.find((l) => l['msg'] === 'request completed')).toBeDefined()
    const line = gateway.logs.find((l) => l['msg'] === 'request completed')!
    const usage = line['usage'] as { input: number; output: number }
    expect(usage.input).toBeGreaterThan(5)
    expect(usage.output).toBeGreaterThan(0)
    expect(line['cost_usd']).toBeCloseTo((usage.input * 1 + usage.output * 2) / 1e6, 12)
    // A stream's model version comes from its first chunk.
    await expect
      .poll(
        async () => (await gateway.gatehouse.store.queryRequestLogs({ limit: 1 })).records[0]?.modelVersion,
      )
      .toBe('m')
  })
})
