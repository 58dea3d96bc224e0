import { describe, expect, it } from 'vitest'
import { parseConfig } from '../config/load.js'
import type { RetentionQuery } from '../store/store.js'
import { sweepRequestLogs } from './retention-sweeper.js'

const DAY = 86_400_000

/** A store of `ts` per tenant that records the deletes it was asked for. */
function fakeStore(records: Array<{ tenant: string | undefined; ts: number }>) {
  const queries: RetentionQuery[] = []
  return {
    records,
    queries,
    async deleteRequestLogs(q: RetentionQuery) {
      queries.push(q)
      const doomed = records
        .filter(
          (r) =>
            r.ts < q.before &&
            (q.tenant !== undefined
              ? r.tenant === q.tenant
              : r.tenant === undefined || !(q.exceptTenants ?? []).includes(r.tenant)),
        )
        .slice(0, q.limit)
      for (const r of doomed) records.splice(records.indexOf(r), 1)
      return doomed.length
    },
  }
}

describe('sweepRequestLogs', () => {
  const config = parseConfig('logging: { retention_days: 30 }\n', {})
  if (!config.ok) throw new Error(config.errors.join('\n'))
  const now = 100 * DAY

  it("keeps each tenant's records for its own retention and everyone else's for the default", async () => {
    const store = fakeStore([
      { tenant: 'bank', ts: now - 5 * DAY },
      { tenant: 'bank', ts: now - 2 * DAY },
      { tenant: 'clinic', ts: now - 40 * DAY },
      { tenant: 'clinic', ts: now - 10 * DAY },
      { tenant: undefined, ts: now - 31 * DAY },
    ])
    const result = await sweepRequestLogs(store, config.config, new Map([['bank', 3]]), now)
    expect(result).toEqual({ deleted: 3, byTenant: { bank: 1, '*': 2 } })
    expect(store.records).toEqual([
      { tenant: 'bank', ts: now - 2 * DAY },
      { tenant: 'clinic', ts: now - 10 * DAY },
    ])
  })

  it('deletes a large backlog in batches of 1,000', async () => {
    const store = fakeStore(Array.from({ length: 2_500 }, (_, i) => ({ tenant: 'x', ts: i })))
    const result = await sweepRequestLogs(store, config.config, new Map(), now)
    expect(result.deleted).toBe(2_500)
    expect(store.queries.map((q) => q.limit)).toEqual([1_000, 1_000, 1_000])
  })
})
