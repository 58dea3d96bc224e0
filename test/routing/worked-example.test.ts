import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { completion, error, type FakeOpenAI, json, startFakeOpenAI } from '../fakes/openai.js'
import { postJson, startTestGateway, type TestGateway } from '../helpers/gateway.js'

/**
 * The README's worked example (config/examples/routing.yaml), run as written with the three
 * providers replaced by fakes: sensitive data stays on-prem, the public route falls back from
 * OpenAI to Mistral, and a cost ceiling downgrades gpt-4o to gpt-4o-mini.
 */
describe('worked routing example', () => {
  let openai: FakeOpenAI
  let mistral: FakeOpenAI
  let vllm: FakeOpenAI
  let gateway: TestGateway
  const ask = (model: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
    postJson(
      `${gateway.baseURL}/chat/completions`,
      { model, messages: [{ role: 'user', content: 'Summarise the file of patient 1234.' }], ...extra },
      headers,
    )

  beforeAll(async () => {
    openai = await startFakeOpenAI((call) =>
      call.body.model === 'gpt-4o' ? error(503) : json(completion('from openai')),
    )
    mistral = await startFakeOpenAI([json(completion('from mistral'))])
    vllm = await startFakeOpenAI([json(completion('from on-prem'))])
    const text = readFileSync(new URL('../../config/examples/routing.yaml', import.meta.url), 'utf8')
      // Keep the example's policy, but do not make the test wait for real backoffs.
      .replace('initial_backoff_ms: 250', 'initial_backoff_ms: 1')
      .replace('retry: { attempts: 3 }', 'retry: { attempts: 3, max_backoff_ms: 4 }')
    gateway = await startTestGateway(text, {
      env: {
        OPENAI_API_KEY: 'sk-test',
        MISTRAL_API_KEY: 'mk-test',
        GATEHOUSE_ADMIN_KEY: 'admin-test',
        OPENAI_BASE_URL: openai.url,
        MISTRAL_BASE_URL: mistral.url,
        VLLM_URL: vllm.url,
      },
    })
  })
  afterAll(async () => {
    await gateway?.close()
    await Promise.all([openai?.close(), mistral?.close(), vllm?.close()])
  })

  it('sends restricted data on-prem only, and says why to an admin', async () => {
    const before = { openai: openai.calls.length, mistral: mistral.calls.length }
    const res = await ask('chat', {
      'x-gatehouse-sensitivity': 'restricted',
      authorization: 'Bearer admin-test',
    })
    expect(res.status).toBe(200)
    expect(res.json.choices[0].message.content).toBe('from on-prem')
    expect({ openai: openai.calls.length, mistral: mistral.calls.length }).toEqual(before)
    const trace = JSON.parse(res.headers.get('x-gatehouse-route-trace')!)
    expect(trace).toMatchObject({
      requested: 'chat',
      rule: 'sensitive-stays-onprem',
      resolved: 'onprem',
      chosen: 'llama-onprem',
    })
  })

  it('falls back from OpenAI to Mistral after retrying OpenAI', async () => {
    const res = await ask('chat')
    expect(res.status).toBe(200)
    expect(res.json.choices[0].message.content).toBe('from mistral')
    expect(res.headers.get('x-gatehouse-attempts')).toBe('4')
    expect(res.headers.get('x-gatehouse-route-trace')).toBeNull()
  })

  it('downgrades to a cheaper model under the cost ceiling', async () => {
    // 2,000 output tokens on gpt-4o cost about $0.02: over the $0.01 ceiling; on gpt-4o-mini $0.0012.
    const res = await ask('chat-capped', { authorization: 'Bearer admin-test' }, { max_tokens: 2000 })
    expect(res.status).toBe(200)
    expect(openai.calls.at(-1)!.body.model).toBe('gpt-4o-mini')
    const trace = JSON.parse(res.headers.get('x-gatehouse-route-trace')!)
    expect(trace.candidates[0]).toMatchObject({ target: 'gpt-4o', skipped: 'over_cost_ceiling' })
    expect(trace.chosen).toBe('gpt-4o-mini')
  })
})
