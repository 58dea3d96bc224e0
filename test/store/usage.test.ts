import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RequestLogRecord, Store } from '../../src/store/store.js'
import { type StoreBackend, storeBackends } from '../helpers/store.js'

const backends = await storeBackends('usage')

const HOUR = 3_600_000
/** 2027-01-15T00:00:00Z, a UTC midnight: hour and day buckets start on it. */
const T0 = Date.UTC(2027, 0, 15)

/**
 * 30 requests over three hours: i % 3 picks the tenant and model, every 7th fails.
 * Tenant acme: model small, globex: model large, initech: no model served (refused early).
 */
function record(i: number): RequestLogRecord {
  const kind = i % 3
  const failed = i % 7 === 0
  return {
    requestId: `u-${String(i).padStart(3, '0')}`,
    ts: T0 + Math.floor(i / 10) * HOUR + i * 1000,
    tenant: ['acme', 'globex', 'initech'][kind],
    keyId: `key-${kind}`,
    operation: 'chat',
    modelRequested: 'chat',
    route: kind === 2 ? undefined : 'chat',
    provider: kind === 2 ? undefined : 'sim',
    modelServed: kind === 2 ? undefined : ['small', 'large'][kind],
    status: kind === 2 ? 403 : failed ? 502 : 200,
    errorKind: kind === 2 ? 'forbidden' : failed ? 'upstream_error' : undefined,
    attempts: kind === 2 ? 0 : 1,
    inputTokens: kind === 2 ? undefined : 100 + i,
    outputTokens: kind === 2 ? undefined : 10,
    costUsd: kind === 2 ? undefined : 0.001 * (kind + 1),
    latencyMs: 10 * (kind + 1),
  }
}
const RECORDS = Array.from({ length: 30 }, (_, i) => record(i))

/** What the store should answer, computed from the records the plain way. */
function expected(records: RequestLogRecord[]) {
  const sum = (f: (r: RequestLogRecord) => number | undefined) => records.reduce((s, r) => s + (f(r) ?? 0), 0)
  return {
    requests: records.length,
    errors: records.filter((r) => r.status >= 400 || r.errorKind !== undefined).length,
    inputTokens: sum((r) => r.inputTokens),
    outputTokens: sum((r) => r.outputTokens),
    costUsd: sum((r) => r.costUsd),
    avgLatencyMs: sum((r) => r.latencyMs) / records.length,
  }
}

for (const backend of backends) {
  describe.skipIf('skip' in backend)(`usage and feedback: ${backend.name}`, () => {
    let store: Store
    beforeAll(async () => {
      store = await (backend as StoreBackend).open()
      await store.insertRequestLogs(RECORDS)
      // Two feedbacks on u-000 (acme), one on u-003 (acme), one on u-001 (globex).
      const fb = (id: string, requestId: string, score: number, comment?: string) => ({
        id,
        requestId,
        requestTs: RECORDS.find((r) => r.requestId === requestId)!.ts,
        tenant: RECORDS.find((r) => r.requestId === requestId)!.tenant,
        keyId: 'key-0',
        score,
        comment,
        ts: T0 + 10 * HOUR,
      })
      await store.insertFeedback(fb('f1', 'u-000', 1, 'good'))
      await store.insertFeedback(fb('f2', 'u-000', 0.5))
      await store.insertFeedback(fb('f3', 'u-003', -1, 'wrong answer'))
      await store.insertFeedback(fb('f4', 'u-001', 0))
    })
    afterAll(async () => {
      await store?.close()
      await (backend as StoreBackend).cleanup()
    })

    it('totals a window without grouping', async () => {
      const rows = await store.usage({ from: T0, to: T0 + 3 * HOUR, groupBy: [] })
      expect(rows).toHaveLength(1)
      const want = expected(RECORDS)
      expect(rows[0]).toMatchObject({ ...want, costUsd: expect.any(Number), feedbackCount: 4 })
      expect(rows[0]!.costUsd).toBeCloseTo(want.costUsd, 9)
      expect(rows[0]!.avgLatencyMs).toBeCloseTo(want.avgLatencyMs, 2)
      expect(rows[0]!.avgScore).toBeCloseTo((1 + 0.5 - 1 + 0) / 4, 4)
    })

    it('groups by tenant and served model, counting feedback per group', async () => {
      const rows = await store.usage({ from: T0, to: T0 + 3 * HOUR, groupBy: ['tenant', 'model'] })
      expect(rows.map((r) => r.group)).toEqual([
        { tenant: 'acme', model: 'small' },
        { tenant: 'globex', model: 'large' },
        { tenant: 'initech', model: null },
      ])
      for (const row of rows) {
        const want = expected(RECORDS.filter((r) => r.tenant === row.group.tenant))
        expect(row.requests).toBe(want.requests)
        expect(row.errors).toBe(want.errors)
        expect(row.inputTokens).toBe(want.inputTokens)
        expect(row.costUsd).toBeCloseTo(want.costUsd, 9)
      }
      expect(rows[0]).toMatchObject({ feedbackCount: 3 })
      expect(rows[0]!.avgScore).toBeCloseTo(0.5 / 3, 4)
      expect(rows[1]).toMatchObject({ feedbackCount: 1, avgScore: 0 })
      expect(rows[2]).toMatchObject({ feedbackCount: 0, avgScore: null, costUsd: 0, errors: 10 })
    })

    it('buckets by UTC hour and day, in time order', async () => {
      const hourly = await store.usage({ from: T0, to: T0 + 3 * HOUR, groupBy: [], interval: 'hour' })
      expect(hourly.map((r) => [r.bucket, r.requests])).toEqual([
        [T0, 10],
        [T0 + HOUR, 10],
        [T0 + 2 * HOUR, 10],
      ])
      const second = expected(RECORDS.slice(10, 20))
      expect(hourly[1]!.costUsd).toBeCloseTo(second.costUsd, 9)
      const daily = await store.usage({
        from: T0,
        to: T0 + 24 * HOUR,
        groupBy: ['provider'],
        interval: 'day',
      })
      expect(daily.map((r) => [r.bucket, r.group.provider, r.requests])).toEqual([
        [T0, 'sim', 20],
        [T0, null, 10], // no provider (refused before routing): last, in both dialects
      ])
    })

    it('filters by time window and tenant', async () => {
      const window = await store.usage({ from: T0 + HOUR, to: T0 + 2 * HOUR, groupBy: ['key_id'] })
      expect(window.reduce((s, r) => s + r.requests, 0)).toBe(10)
      const acme = await store.usage({ from: T0, to: T0 + 3 * HOUR, groupBy: ['route'], tenant: 'acme' })
      expect(acme).toEqual([expect.objectContaining({ group: { route: 'chat' }, requests: 10 })])
      expect(await store.usage({ from: 0, to: T0, groupBy: [] })).toEqual([])
      expect(await store.usage({ from: 0, to: T0, groupBy: ['tenant'], interval: 'day' })).toEqual([])
    })

    it('lists feedback by request ids, oldest first', async () => {
      const list = await store.listFeedback(['u-000', 'u-001', 'nope'])
      expect(list.map((f) => [f.id, f.requestId, f.score, f.comment ?? null])).toEqual([
        ['f1', 'u-000', 1, 'good'],
        ['f2', 'u-000', 0.5, null],
        ['f4', 'u-001', 0, null],
      ])
      expect(list[0]).toMatchObject({ requestTs: RECORDS[0]!.ts, tenant: 'acme', keyId: 'key-0' })
      expect(await store.listFeedback([])).toEqual([])
    })
  })
}
