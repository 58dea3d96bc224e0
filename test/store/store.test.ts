import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  InvalidCursorError,
  type KeyRecord,
  type RequestLogRecord,
  type Store,
} from '../../src/store/store.js'
import { allRequestIds, type StoreBackend, storeBackends } from '../helpers/store.js'

const backends = await storeBackends('store')

const record = (i: number, extra: Partial<RequestLogRecord> = {}): RequestLogRecord => ({
  requestId: `req-${String(i).padStart(4, '0')}`,
  prompt: i % 3 === 0 ? 'support-answer@v3' : undefined,
  contextSources: i % 3 === 0 ? ['kb-17', 'kb-42'] : undefined,
  upstreamMs: 10.25,
  traceId: i % 2 === 0 ? `4bf92f3577b34da6a3ce929d0e0e${String(i).padStart(4, '0')}` : undefined,
  ts: 1_800_000_000_000 + i * 1000,
  tenant: i % 2 === 0 ? 'bank' : 'clinic',
  operation: 'chat',
  modelRequested: 'chat',
  route: 'chat',
  provider: 'openai',
  modelServed: 'gpt-4o-mini',
  modelVersion: 'gpt-4o-mini-2024-07-18',
  status: i % 5 === 0 ? 502 : 200,
  errorKind: i % 5 === 0 ? 'upstream_error' : undefined,
  attempts: 1,
  trace: { skipped: [], attempts: [`gpt-4o-mini#1:${i % 5 === 0 ? 503 : 'ok'}`] },
  sensitivity: i % 2 === 0 ? 'confidential' : undefined,
  redactions: i % 2 === 0 ? { email: 2, phone: 1 } : undefined,
  guardrails:
    i % 4 === 0
      ? [{ rule: 'injection', source: 'user', action: 'flag', score: 0.62, signals: ['ignore-previous'] }]
      : undefined,
  inputTokens: 10 + i,
  outputTokens: 20,
  costUsd: 0.000_123,
  latencyMs: 12.5,
  ttftMs: 3.25,
  ...extra,
})

/** One suite, both stores: what one does, the other must do the same way. */
for (const backend of backends) {
  describe.skipIf('skip' in backend)(`store: ${backend.name}`, () => {
    let store: Store
    beforeAll(async () => {
      store = await (backend as StoreBackend).open()
      await store.insertRequestLogs(Array.from({ length: 25 }, (_, i) => record(i)))
    })
    afterAll(async () => {
      await store?.close()
      await (backend as StoreBackend).cleanup()
    })

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined()
    })

    it('round-trips a record exactly, with its sensitivity, redaction counts and guardrail verdicts', async () => {
      for (const i of [7, 8]) {
        const page = await store.queryRequestLogs({ requestId: record(i).requestId, limit: 10 })
        expect(page.records).toEqual([JSON.parse(JSON.stringify(record(i)))])
      }
    })

    it('pages newest first with a cursor, without gaps or repeats', async () => {
      // A page size that does not divide the total: the last page is short.
      const seen = await allRequestIds(store, { limit: 7 })
      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => record(24 - i).requestId))
    })

    it('filters by tenant, status, error kind, model and time range', async () => {
      const bank = await store.queryRequestLogs({ tenant: 'bank', limit: 100 })
      expect(bank.records).toHaveLength(13)
      expect(bank.records.every((r) => r.tenant === 'bank')).toBe(true)
      const failed = await store.queryRequestLogs({ status: 502, errorKind: 'upstream_error', limit: 100 })
      expect(failed.records.map((r) => r.requestId)).toEqual([
        'req-0020',
        'req-0015',
        'req-0010',
        'req-0005',
        'req-0000',
      ])
      expect((await store.queryRequestLogs({ model: 'gpt-4o-mini', limit: 100 })).records).toHaveLength(25)
      expect((await store.queryRequestLogs({ model: 'nope', limit: 100 })).records).toHaveLength(0)
      const window = await store.queryRequestLogs({ from: record(10).ts, to: record(13).ts, limit: 100 })
      expect(window.records.map((r) => r.requestId)).toEqual(['req-0012', 'req-0011', 'req-0010'])
    })

    it('ignores a duplicate request id instead of failing the batch', async () => {
      await store.insertRequestLogs([record(3, { status: 500 }), record(100)])
      const page = await store.queryRequestLogs({ requestId: 'req-0003', limit: 10 })
      expect(page.records[0]!.status).toBe(200)
      expect((await store.queryRequestLogs({ requestId: 'req-0100', limit: 10 })).records).toHaveLength(1)
    })

    it('writes a large batch in one call', async () => {
      await store.insertRequestLogs(
        Array.from({ length: 1200 }, (_, i) => record(1000 + i, { tenant: 'bulk' })),
      )
      expect((await store.queryRequestLogs({ tenant: 'bulk', limit: 1000 })).nextCursor).toBeDefined()
    })

    it('rejects a forged cursor', async () => {
      await expect(store.queryRequestLogs({ limit: 5, cursor: 'bm90LWpzb24' })).rejects.toBeInstanceOf(
        InvalidCursorError,
      )
    })

    it('stores keys: insert, get, list by tenant, patch, touch and changes since', async () => {
      const key: KeyRecord = {
        id: 'abcdefghijkm',
        name: 'ci bot',
        tenant: 'bank',
        role: 'user',
        hash: 'ab'.repeat(32),
        prefix: 'gth_abcdefghijkm_xyzab…',
        models: ['chat'],
        limits: { rpm: 60 },
        createdAt: 1_000,
        updatedAt: 1_000,
        expiresAt: 9_000,
      }
      await store.insertKey(key)
      await store.insertKey({
        ...key,
        id: 'zzzzzzzzzzzz',
        tenant: 'clinic',
        createdAt: 2_000,
        updatedAt: 2_000,
      })
      expect(await store.getKey(key.id)).toEqual({
        ...key,
        budget: undefined,
        revokedAt: undefined,
        lastUsedAt: undefined,
        previousHash: undefined,
        previousValidUntil: undefined,
      })
      expect(await store.getKey('nope')).toBeUndefined()
      expect((await store.listKeys({ tenant: 'bank' })).map((k) => k.id)).toEqual([key.id])
      expect(await store.listKeys()).toHaveLength(2)
      expect(await store.updateKey(key.id, { revokedAt: 5_000, updatedAt: 5_000 })).toBe(true)
      expect(await store.updateKey('nope', { revokedAt: 5_000, updatedAt: 5_000 })).toBe(false)
      expect((await store.keysUpdatedSince(3_000)).map((k) => [k.id, k.revokedAt])).toEqual([[key.id, 5_000]])
      await store.touchKeys(new Map([[key.id, 7_000]]))
      await store.touchKeys(new Map([[key.id, 6_000]])) // an older touch never moves it back
      expect((await store.getKey(key.id))?.lastUsedAt).toBe(7_000)
    })

    it('keeps the first value of a setting and adds spend up per period', async () => {
      expect(await store.initSetting('hash_secret', 'first')).toBe('first')
      expect(await store.initSetting('hash_secret', 'second')).toBe('first')
      await store.addSpend([
        { scope: 'tenant', subject: 'bank', period: 'd:2026-11-29', usd: 0.25 },
        { scope: 'tenant', subject: 'bank', period: 'd:2026-11-29', usd: 0.5 },
        { scope: 'tenant', subject: 'bank', period: 'm:2026-11', usd: 0.75 },
      ])
      expect(await store.getSpend('tenant', 'bank', 'd:2026-11-29')).toBeCloseTo(0.75, 9)
      expect(await store.getSpend('tenant', 'bank', 'm:2026-11')).toBeCloseTo(0.75, 9)
      expect(await store.getSpend('tenant', 'clinic', 'm:2026-11')).toBe(0)
    })

    it('stores API tenants: create, replace keeping createdAt, list, changes since', async () => {
      await store.putTenant({
        name: 'initech',
        settings: { models: ['chat'] },
        createdAt: 1_000,
        updatedAt: 1_000,
      })
      await store.putTenant({ name: 'umbrella', settings: {}, createdAt: 2_000, updatedAt: 2_000 })
      await store.putTenant({
        name: 'initech',
        settings: { budget: { daily_usd: 5, alert_at: [0.5], hard: true } },
        createdAt: 9_999,
        updatedAt: 3_000,
      })
      expect(await store.listTenants()).toEqual([
        {
          name: 'initech',
          settings: { budget: { daily_usd: 5, alert_at: [0.5], hard: true } },
          createdAt: 1_000,
          updatedAt: 3_000,
        },
        { name: 'umbrella', settings: {}, createdAt: 2_000, updatedAt: 2_000 },
      ])
      expect((await store.tenantsUpdatedSince(2_500)).map((t) => t.name)).toEqual(['initech'])
    })

    it('deletes old records in bounded batches, by tenant or for everyone else', async () => {
      const old = (i: number, tenant: string | undefined) =>
        record(5000 + i, { requestId: `old-${tenant ?? 'none'}-${i}`, ts: 1_000 + i, tenant })
      await store.insertRequestLogs([
        ...Array.from({ length: 5 }, (_, i) => old(i, 'bank')),
        ...Array.from({ length: 3 }, (_, i) => old(i, 'clinic')),
        old(0, undefined),
      ])
      const count = async (prefix: string) =>
        (await allRequestIds(store, { limit: 1000 })).filter((id) => id.startsWith(prefix)).length
      const newer = await count('req-')
      expect(await store.deleteRequestLogs({ before: 2_000, tenant: 'bank', limit: 2 })).toBe(2)
      expect(await count('old-bank')).toBe(3)
      expect(await store.deleteRequestLogs({ before: 2_000, exceptTenants: ['bank'], limit: 100 })).toBe(4)
      expect(await count('old-clinic')).toBe(0)
      expect(await count('old-none')).toBe(0)
      expect(await count('old-bank')).toBe(3)
      expect(await store.deleteRequestLogs({ before: 2_000, limit: 100 })).toBe(3)
      // Newer records are untouched.
      expect(await count('req-')).toBe(newer)
    })

    it('applies migrations once: reopening keeps the data', async () => {
      const again = await (backend as StoreBackend).open()
      try {
        expect((await again.queryRequestLogs({ requestId: 'req-0001', limit: 1 })).records).toHaveLength(1)
      } finally {
        await again.close()
      }
    })
  })
}
