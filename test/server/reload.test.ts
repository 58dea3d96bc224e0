import { afterEach, describe, expect, it } from 'vitest'
import { chunks, completion, type FakeOpenAI, json, sse, startFakeOpenAI } from '../fakes/openai.js'
import { openaiConfig, postJson, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { openStream, parseStream } from '../helpers/sse.js'

/** Poll `check` until it holds; fail with `what` after `timeoutMs`. */
async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

async function modelIds(gateway: TestGateway): Promise<string[]> {
  const res = await fetch(`${gateway.baseURL}/models`)
  const body = (await res.json()) as { data: Array<{ id: string }> }
  return body.data.map((m) => m.id)
}

const logIndex = (gateway: TestGateway, msg: string, from = 0) =>
  gateway.logs.findIndex((line, i) => i >= from && line['msg'] === msg)
const countLogs = (gateway: TestGateway, msg: string) => gateway.logs.filter((l) => l['msg'] === msg).length

const simulated = (models: Record<string, unknown>, simulate: Record<string, unknown> = {}) => ({
  providers: { sim: { kind: 'simulated', simulate } },
  models,
})
const hi = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }] })

describe('config hot reload', () => {
  let gateway: TestGateway | undefined
  let fake: FakeOpenAI | undefined
  afterEach(async () => {
    await gateway?.close()
    await fake?.close()
    gateway = undefined
    fake = undefined
  })

  it('applies a valid change without a restart', async () => {
    gateway = await startTestGateway(simulated({ a: { provider: 'sim' } }), { watch: true })
    expect(await modelIds(gateway)).toEqual(['a'])
    expect((await postJson(`${gateway.baseURL}/chat/completions`, hi('b'))).status).toBe(404)

    await gateway.writeConfig(
      simulated({ a: { provider: 'sim' }, b: { provider: 'sim' } }, { reply: 'from the new config' }),
    )
    await until('model b in /v1/models', async () => (await modelIds(gateway!)).includes('b'))

    expect(await modelIds(gateway)).toEqual(['a', 'b'])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi('b'))
    expect(res.status).toBe(200)
    expect(res.json.choices[0].message.content).toBe('from the new config')
    expect(gateway.logs.find((l) => l['msg'] === 'config reloaded')).toMatchObject({ models: 2, routes: 0 })
  })

  it('turns data protection on by a change, loading it then (a gateway started without it never did)', async () => {
    const withEmail = { model: 'a', messages: [{ role: 'user', content: 'Write to ada@example.com' }] }
    gateway = await startTestGateway(
      { ...simulated({ a: { provider: 'sim' } }), protect: { enabled: false } },
      {
        watch: true,
      },
    )
    const before = await postJson(`${gateway.baseURL}/chat/completions`, withEmail)
    expect(before.status).toBe(200)
    expect(before.headers.get('x-gatehouse-sensitivity')).toBeNull()

    await gateway.writeConfig({ ...simulated({ a: { provider: 'sim' } }), protect: { enabled: true } })
    await until('config reloaded', () => countLogs(gateway!, 'config reloaded') > 0)
    const after = await postJson(`${gateway.baseURL}/chat/completions`, withEmail)
    expect(after.status).toBe(200)
    expect(after.headers.get('x-gatehouse-sensitivity')).toBe('confidential')
  })

  it('rejects an invalid change, logs why, and keeps serving the previous config', async () => {
    const secret = 'sk-reload-secret-7777'
    gateway = await startTestGateway(simulated({ a: { provider: 'sim' } }), { watch: true })

    await gateway.writeConfig({
      providers: { sim: { kind: 'opnai', api_key: secret } },
      models: { a: { provider: 'sim' }, b: { provider: 'nope' } },
    })
    const rejected = 'config change rejected; the previous config keeps serving'
    await until('the rejection log line', () => logIndex(gateway!, rejected) >= 0)

    const line = gateway.logs[logIndex(gateway, rejected)]!
    expect(line['level']).toBe(50) // pino's "error"
    expect(line['config']).toBe(gateway.configPath)
    // A prefix: each provider kind added later extends the list.
    expect(line['errors']).toEqual([
      expect.stringMatching(/^providers\.sim\.kind: expected one of openai, openai-compatible, simulated/),
    ])
    expect(gateway.rawLogs()).not.toContain(secret)
    expect(countLogs(gateway, 'config reloaded')).toBe(0)

    expect(await modelIds(gateway)).toEqual(['a'])
    const res = await postJson(`${gateway.baseURL}/chat/completions`, hi('a'))
    expect(res.status).toBe(200)
    expect(res.json.choices[0].message.content).toContain('Simulated reply from a')

    // The watcher survives a rejected change: the next valid one is applied.
    await gateway.writeConfig(simulated({ a: { provider: 'sim' }, c: { provider: 'sim' } }))
    await until('model c in /v1/models', async () => (await modelIds(gateway!)).includes('c'))
  })

  it('lets a stream started before a change finish on the config it started with', async () => {
    const reply = 'A reply long enough to take a while to stream, one small chunk at a time.'
    gateway = await startTestGateway(
      simulated({ a: { provider: 'sim' } }, { chunk_delay_ms: 50, chunk_chars: 4, reply }),
      { watch: true },
    )
    const stream = await openStream(`${gateway.baseURL}/chat/completions`, hi('a'))
    await stream.firstEvent()

    // Change the very provider that serves the stream, and add a model.
    await gateway.writeConfig(
      simulated({ a: { provider: 'sim' }, b: { provider: 'sim' } }, { reply: 'the new reply' }),
    )
    await until('the reload', () => logIndex(gateway!, 'config reloaded') >= 0)
    expect(stream.text).not.toContain('[DONE]')

    const { events, content } = parseStream(await stream.rest())
    expect(events.at(-1)).toBe('data: [DONE]')
    expect(content).toBe(reply)
    // The stream ended after the new config was in place, and was recorded as a success (the line
    // is written just after the answer, not before).
    await until('the request log line', () => logIndex(gateway!, 'request completed') >= 0)
    const reloadedAt = logIndex(gateway, 'config reloaded')
    const completedAt = logIndex(gateway, 'request completed')
    expect(completedAt).toBeGreaterThan(reloadedAt)
    expect(gateway.logs[completedAt]).toMatchObject({ stream: true, status: 200, model: 'a' })
    expect(gateway.logs[completedAt]!['error_kind']).toBeUndefined()

    const after = await postJson(`${gateway.baseURL}/chat/completions`, hi('a'))
    expect(after.json.choices[0].message.content).toBe('the new reply')
  })

  it('lets an upstream stream finish when its provider is replaced by the change', async () => {
    const text = 'Upstream streaming across a reload that retires the connection pool serving it.'
    fake = await startFakeOpenAI([sse(chunks(text, { pieceChars: 6 }), { gapMs: 40 })])
    gateway = await startTestGateway(openaiConfig(fake.url), { watch: true })
    const stream = await openStream(`${gateway.baseURL}/chat/completions`, hi('gpt-4o-mini'))
    await stream.firstEvent()

    // A new api_key is a new provider instance: the old pool is retired while it streams.
    const changed = openaiConfig(fake.url)
    ;(changed['providers'] as any).upstream.api_key = 'sk-test-rotated-key-5678'
    await gateway.writeConfig(changed)
    await until('the reload', () => logIndex(gateway!, 'config reloaded') >= 0)
    expect(stream.text).not.toContain('[DONE]')

    const { events, content } = parseStream(await stream.rest())
    expect(events.at(-1)).toBe('data: [DONE]')
    expect(content).toBe(text)
    expect(fake.calls).toHaveLength(1)
  })

  it('keeps the pooled upstream connection of a provider whose config did not change', async () => {
    fake = await startFakeOpenAI([json(completion('pooled'))])
    const config = openaiConfig(fake.url)
    gateway = await startTestGateway(config, { watch: true })
    expect((await postJson(`${gateway.baseURL}/chat/completions`, hi('gpt-4o-mini'))).status).toBe(200)
    expect(fake.connections).toBe(1)

    // An unrelated addition: a simulated provider and a model on it.
    await gateway.writeConfig({
      ...config,
      providers: { ...(config['providers'] as object), sim: { kind: 'simulated' } },
      models: { ...(config['models'] as object), extra: { provider: 'sim' } },
    })
    await until('model extra in /v1/models', async () => (await modelIds(gateway!)).includes('extra'))
    expect((await postJson(`${gateway.baseURL}/chat/completions`, hi('gpt-4o-mini'))).status).toBe(200)
    expect(fake.calls).toHaveLength(2)
    expect(fake.connections).toBe(1)

    // Contrast: changing that provider's own config does open a new pool.
    const rotated = openaiConfig(fake.url)
    ;(rotated['providers'] as any).upstream.api_key = 'sk-test-rotated-key-5678'
    await gateway.writeConfig(rotated)
    await until('the second reload', () => countLogs(gateway!, 'config reloaded') === 2)
    expect((await postJson(`${gateway.baseURL}/chat/completions`, hi('gpt-4o-mini'))).status).toBe(200)
    expect(fake.calls[2]!.headers.authorization).toBe('Bearer sk-test-rotated-key-5678')
    expect(fake.connections).toBe(2)
  })
})
