import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { postJson } from '../helpers/gateway.js'
import { listeningUrl } from '../helpers/process.js'
import { testRedis } from '../helpers/redis.js'

// Replicas are real processes (the built CLI) sharing the machine's Redis, as in production.
const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'bin/gatehouse.js')
const redis = await testRedis()
if ('skip' in redis) console.warn(redis.skip)

const KEY = 'multi-process-key-0123456789'

describe.skipIf('skip' in redis)('limits and budgets across gateway processes sharing Redis', () => {
  let dir: string
  const running = new Set<ChildProcess>()
  beforeAll(async () => {
    if (!existsSync(join(root, 'dist/src/cli/main.js')))
      throw new Error('dist/ is missing: run `npm run build` first')
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-replicas-'))
  })
  afterEach(() => {
    for (const proc of running) proc.kill('SIGKILL')
    running.clear()
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
    if (!('skip' in redis)) await redis.clean()
  })

  /** Start `count` replicas on one config; resolve with their URLs. */
  async function replicas(count: number, config: Record<string, unknown>): Promise<string[]> {
    const r = redis as Exclude<typeof redis, { skip: string }>
    const path = join(dir, `${randomBytes(4).toString('hex')}.yaml`)
    const prefix = `${r.prefix}${randomBytes(3).toString('hex')}:`
    await writeFile(
      path,
      stringify({
        store: { url: 'sqlite::memory:' },
        logging: { level: 'warn' },
        redis: { url: r.url, key_prefix: prefix },
        providers: { sim: { kind: 'simulated' } },
        models: { pricey: { provider: 'sim', price: { input: 10_000, output: 10_000 } } },
        loop_guard: { enabled: false },
        ...config,
      }),
    )
    return Promise.all(
      Array.from({ length: count }, () => {
        const proc = spawn(process.execPath, [bin, 'serve', '--config', path, '--port', '0'], {
          cwd: root,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        running.add(proc)
        proc.stdout!.resume()
        return listeningUrl(proc, 15_000)
      }),
    )
  }

  const call = (url: string, i: number) =>
    postJson(
      `${url}/v1/chat/completions`,
      { model: 'pricey', max_tokens: 5, messages: [{ role: 'user', content: `call ${i}` }] },
      { authorization: `Bearer ${KEY}` },
    )

  it('enforce one global requests-per-minute limit', async () => {
    const urls = await replicas(3, {
      limits: { global: { rpm: 12 } },
      keys: [{ name: 'k', tenant: 'default', key: KEY }],
    })
    const startedAt = Date.now()
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => call(urls[i % urls.length]!, i)))
    const elapsedS = (Date.now() - startedAt) / 1000
    const served = results.filter((r) => r.status === 200).length
    const perReplica = urls.map(
      (_, r) => results.filter((x, i) => i % urls.length === r && x.status === 200).length,
    )
    console.info(
      `3 replicas, global rpm 12: ${served} of 60 served (per replica ${perReplica.join('/')}), ` +
        `${results.filter((r) => r.status === 429).length} refused with 429, in ${elapsedS.toFixed(2)} s`,
    )
    // The bucket holds 12 and refills 12 a minute: 12, plus what refilled while the test ran.
    expect(served).toBeGreaterThanOrEqual(12)
    expect(served).toBeLessThanOrEqual(12 + Math.floor((elapsedS * 12) / 60))
    expect(results.every((r) => r.status === 200 || r.json.error.code === 'rate_limit_exceeded')).toBe(true)
  })

  it('enforce one hard budget', async () => {
    const urls = await replicas(2, {
      keys: [{ name: 'k', tenant: 'default', key: KEY, budget: { daily_usd: 2 } }],
    })
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => call(urls[i % 2]!, i)))
    const ok = results.filter((r) => r.status === 200)
    const spent = ok.reduce((sum, r) => sum + Number(r.headers.get('x-gatehouse-cost-usd')), 0)
    console.info(
      `2 replicas, hard budget $2: ${ok.length} of 40 served, ${results.length - ok.length} refused, spent $${spent.toFixed(4)}`,
    )
    expect(ok.length).toBeGreaterThan(0)
    expect(spent).toBeLessThanOrEqual(2)
    expect(results.every((r) => r.status === 200 || r.json.error.code === 'budget_exceeded')).toBe(true)
  })
})
