import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { ConfigError, startGatehouse } from '../../src/main.js'
import { startTestGateway } from '../helpers/gateway.js'
import { testPostgres } from '../helpers/postgres.js'

const base = { providers: { sim: { kind: 'simulated' } }, models: { 'sim-fast': { provider: 'sim' } } }
const pgTarget = await testPostgres()
if ('skip' in pgTarget) console.warn(pgTarget.skip)

describe('store wiring', () => {
  it('creates the embedded SQLite store and reports ready', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-store-wiring-'))
    const gateway = await startTestGateway({
      ...base,
      store: { url: `sqlite:${join(dir, 'nested', 'gh.db')}` },
    })
    try {
      expect(await (await fetch(`${gateway.url}/readyz`)).json()).toEqual({ status: 'ready' })
    } finally {
      await gateway.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('refuses to start when the store cannot be opened, without printing its password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-store-wiring-'))
    const configPath = join(dir, 'gatehouse.yaml')
    await writeFile(
      configPath,
      stringify({ ...base, store: { url: 'postgres://gh:s3cret-pass@127.0.0.1:1/db' } }),
    )
    try {
      const err = await startGatehouse({ configPath, env: {}, port: 0, watch: false }).catch(
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(ConfigError)
      expect((err as ConfigError).errors[0]).toMatch(
        /^store\.url: cannot open postgres:\/\/gh:\[redacted\]@127\.0\.0\.1:1\/db/,
      )
      expect(String((err as Error).message)).not.toContain('s3cret-pass')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it.skipIf('skip' in pgTarget)('serves with a PostgreSQL store and reports ready', async () => {
    const target = pgTarget as Exclude<typeof pgTarget, { skip: string }>
    const gateway = await startTestGateway({ ...base, store: { url: target.url } })
    try {
      expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200)
    } finally {
      await gateway.close()
      await target.drop()
    }
  })
})
