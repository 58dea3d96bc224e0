import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/load.js'
import { createBodyCipher, parseBodyKey } from '../../src/observability/body-cipher.js'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { postJson, startTestGateway, type TestGateway } from '../helpers/gateway.js'

const KEY = randomBytes(32).toString('base64')
const SECRET_PROMPT = 'Patient Jane Roe, born 1970-01-02, asks about her results'

describe('request bodies in the request log', () => {
  let gateway: TestGateway | undefined
  let dir: string
  afterEach(async () => {
    await gateway?.close()
    gateway = undefined
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  async function run(logging: Record<string, unknown>, tenants: Record<string, unknown> = {}) {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-bodies-'))
    const path = join(dir, 'g.db')
    gateway = await startTestGateway(
      {
        providers: { sim: { kind: 'simulated' } },
        models: { m: { provider: 'sim' } },
        store: { url: `sqlite:${path}` },
        logging: { request_log: true, ...logging },
        ...(Object.keys(tenants).length > 0
          ? { tenants, auth: { mode: 'none', default_tenant: 'clinic' } }
          : {}),
      },
      { env: { GATEHOUSE_BODY_KEY: KEY } },
    )
    for (const stream of [false, true]) {
      const res = await postJson(
        `${gateway.baseURL}/chat/completions`,
        {
          model: 'm',
          stream,
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: SECRET_PROMPT },
          ],
        },
        { 'x-gatehouse-request-id': `bodies-${stream}` },
      )
      expect(res.status).toBe(200)
    }
    await gateway.close()
    gateway = undefined
    const store = openSqliteStore(path)
    const records = (await store.queryRequestLogs({ limit: 10 })).records
    await store.close()
    return { records, file: await readFile(path) }
  }

  it('keeps only metadata by default (redacted, but no body key to seal with): never the text', async () => {
    const { records, file } = await run({})
    expect(records).toHaveLength(2)
    for (const r of records) {
      expect(r.bodyMeta).toMatchObject({
        messages: 2,
        roles: ['system', 'user'],
        promptChars: SECRET_PROMPT.length + 10,
      })
      expect(r.bodyMeta!.answerChars).toBeGreaterThan(10)
      expect(r.bodies).toBeUndefined()
    }
    expect(file.includes(Buffer.from('Jane Roe'))).toBe(false)
  })

  it('seals full bodies with AES-256-GCM under the request id, with the key id on the row', async () => {
    const { records, file } = await run({
      bodies: 'full',
      body_keys: [{ id: 'k2026', key: '${GATEHOUSE_BODY_KEY}' }],
    })
    const cipher = createBodyCipher([parseBodyKey('k2026', KEY)])
    for (const r of records) {
      expect(r.bodyKeyId).toBe('k2026')
      const opened = JSON.parse(cipher.open(r.bodies!, r.requestId))
      expect(opened.messages[1].content).toBe(SECRET_PROMPT)
      expect(opened.answer).toContain('Simulated reply')
      expect(opened.answer.length).toBe(r.bodyMeta!.answerChars)
    }
    // At rest, neither the prompt nor the answer is readable in the database file.
    expect(file.includes(Buffer.from('Jane Roe'))).toBe(false)
    expect(file.includes(Buffer.from('Simulated reply'))).toBe(false)
  })

  it('seals redacted bodies: prompt and answer with every detected value masked', async () => {
    const { records, file } = await run({
      bodies: 'redacted',
      body_keys: [{ id: 'k1', key: '${GATEHOUSE_BODY_KEY}' }],
    })
    const cipher = createBodyCipher([parseBodyKey('k1', KEY)])
    expect(records).toHaveLength(2)
    for (const r of records) {
      const opened = JSON.parse(cipher.open(r.bodies!, r.requestId))
      expect(opened.messages[1].content).toBe('Patient [PERSON], born [DOB], asks about her results')
      expect(opened.messages[0].content).toBe('Be brief.')
      // The simulator repeats the prompt: the stored answer is masked too.
      expect(opened.answer).toContain('[DOB]')
      expect(JSON.stringify(opened)).not.toMatch(/1970-01-02|Jane Roe/)
    }
    expect(file.includes(Buffer.from('1970-01-02'))).toBe(false)
  })

  it('opens a sealed body for an admin through GET /admin/logs/{id}, never in listings', async () => {
    gateway = await startTestGateway(
      {
        providers: { sim: { kind: 'simulated' } },
        models: { m: { provider: 'sim' } },
        logging: {
          request_log: true,
          bodies: 'full',
          body_keys: [{ id: 'k1', key: '${GATEHOUSE_BODY_KEY}' }],
        },
        admin: { api_key: 'admin-key-0123456789' },
      },
      { env: { GATEHOUSE_BODY_KEY: KEY } },
    )
    await postJson(
      `${gateway.baseURL}/chat/completions`,
      { model: 'm', messages: [{ role: 'user', content: SECRET_PROMPT }] },
      {
        'x-gatehouse-request-id': 'open-me',
        'x-gatehouse-prompt': 'results-summary@v2',
        'x-gatehouse-context-sources': 'lab-2024-11, chart-7',
      },
    )
    const auth = { authorization: 'Bearer admin-key-0123456789' }
    await expect
      .poll(async () => (await fetch(`${gateway!.url}/admin/logs/open-me`, { headers: auth })).status)
      .toBe(200)
    const one = (await (await fetch(`${gateway.url}/admin/logs/open-me`, { headers: auth })).json()) as any
    expect(one.body.messages[0].content).toBe(SECRET_PROMPT)
    expect(one.body_key_id).toBe('k1')
    expect(one).toMatchObject({ prompt: 'results-summary@v2', context_sources: ['lab-2024-11', 'chart-7'] })
    expect(one.upstream_ms).toBeGreaterThan(0)
    const list = await (await fetch(`${gateway.url}/admin/logs`, { headers: auth })).text()
    expect(list).not.toContain('Jane Roe')
  })

  it("follows the tenant's mode: none stores nothing of the bodies", async () => {
    const { records } = await run({}, { clinic: { bodies: 'none' } })
    for (const r of records) expect(r.bodyMeta).toBeUndefined()
  })

  it('refuses full bodies without a key, and a key of the wrong size', () => {
    const noKey = parseConfig('logging: { bodies: full }\n', {})
    expect(noKey.ok ? [] : noKey.errors).toEqual([
      expect.stringContaining('logging.body_keys: required to store full bodies'),
    ])
    const short = parseConfig('logging: { body_keys: [{ id: k1, key: c2hvcnQ= }] }\n', {})
    expect(short.ok ? [] : short.errors).toEqual([
      expect.stringContaining('logging.body_keys[0].key: key "k1" must be 32 bytes'),
    ])
  })
})
