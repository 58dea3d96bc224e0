import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { postJson, startTestGateway } from '../helpers/gateway.js'
import { allRequestIds } from '../helpers/store.js'

describe('request log', () => {
  it('records every request acknowledged before a clean shutdown (send, stop, reopen, count)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-request-log-'))
    const path = join(dir, 'gatehouse.db')
    const gateway = await startTestGateway({
      providers: { sim: { kind: 'simulated' } },
      models: { 'sim-fast': { provider: 'sim' } },
      store: { url: `sqlite:${path}` },
      logging: { request_log: true },
    })
    const ids: string[] = []
    const statuses: number[] = []
    for (let wave = 0; wave < 10; wave++) {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => {
          const id = `drain-${wave}-${i}`
          ids.push(id)
          const body = {
            model: i === 7 ? 'missing-model' : 'sim-fast',
            stream: i % 3 === 0,
            messages: [{ role: 'user', content: `n${i}` }],
          }
          return postJson(`${gateway.baseURL}/chat/completions`, body, { 'x-gatehouse-request-id': id })
        }),
      )
      statuses.push(...results.map((r) => r.status))
    }
    await gateway.close()

    const store = openSqliteStore(path)
    try {
      const found = await allRequestIds(store, { limit: 1000 })
      console.log(
        `request log: sent ${ids.length}, acknowledged ${statuses.length}, recorded ${found.length}`,
      )
      expect(found.sort()).toEqual([...ids].sort())
      const failed = await store.queryRequestLogs({ status: 404, limit: 100 })
      expect(failed.records).toHaveLength(10)
      expect(failed.records[0]).toMatchObject({
        errorKind: 'model_not_found',
        modelRequested: 'missing-model',
        attempts: 0,
      })
      const one = (await store.queryRequestLogs({ requestId: 'drain-3-3', limit: 1 })).records[0]!
      expect(one).toMatchObject({ status: 200, provider: 'sim', modelServed: 'sim-fast', attempts: 1 })
      expect(one.inputTokens).toBeGreaterThan(0)
      expect(one.ttftMs).toBeGreaterThan(0)
    } finally {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
