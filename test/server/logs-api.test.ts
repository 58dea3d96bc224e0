import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_KEY, admin, createKey, startAccessGateway } from '../access/access-helpers.js'
import { postJson, type TestGateway } from '../helpers/gateway.js'
import { withTimeout } from '../helpers/process.js'

type Role = 'admin' | 'auditor' | 'finops' | 'user'

describe('request logs, usage and feedback over HTTP', () => {
  let gateway: TestGateway
  const acme = {} as Record<Role, string>
  let globexUser: { id: string; key: string }
  let acmeUserId: string
  const startedMs = Date.now()

  const call = (key: string, id: string, model = 'small') =>
    postJson(
      `${gateway.baseURL}/chat/completions`,
      { model, messages: [{ role: 'user', content: `hello ${id}` }] },
      { authorization: `Bearer ${key}`, 'x-gatehouse-request-id': id },
    )
  const feedback = (key: string | undefined, body: unknown) =>
    postJson(`${gateway.baseURL}/feedback`, body, key ? { authorization: `Bearer ${key}` } : {})

  beforeAll(async () => {
    gateway = await startAccessGateway({ logging: { request_log: true } })
    for (const role of ['admin', 'auditor', 'finops', 'user'] as const) {
      const created = await createKey(gateway, { tenant: 'acme', name: `acme-${role}`, role })
      acme[role] = created.key
      if (role === 'user') acmeUserId = created.id
    }
    globexUser = await createKey(gateway, { tenant: 'globex', name: 'globex-user' })
    for (let i = 0; i < 5; i++) expect((await call(acme.user, `acme-ok-${i}`)).status).toBe(200)
    // acme may not use `large`: a recorded 403.
    expect((await call(acme.user, 'acme-denied', 'large')).status).toBe(403)
    for (let i = 0; i < 3; i++)
      expect((await call(globexUser.key, `globex-ok-${i}`, 'large')).status).toBe(200)
    // The recorder writes in batches every 200 ms: wait until all 9 records are searchable.
    await withTimeout(
      (async () => {
        while ((await admin(gateway, 'GET', '/logs')).json.data.length < 9) await sleep(50)
      })(),
      5_000,
      'the request log',
    )
  })
  afterAll(async () => {
    await gateway?.close()
  })

  it('lists records newest first in the documented shape', async () => {
    const res = await admin(gateway, 'GET', '/logs')
    expect(res.status).toBe(200)
    expect(res.json.object).toBe('list')
    expect(res.json.next_cursor).toBeNull()
    const ids = res.json.data.map((r: any) => r.request_id)
    expect(ids[0]).toBe('globex-ok-2')
    expect(ids.at(-1)).toBe('acme-ok-0')
    const one = res.json.data.find((r: any) => r.request_id === 'acme-ok-3')
    expect(one).toMatchObject({
      object: 'request_log',
      tenant: 'acme',
      key_id: acmeUserId,
      operation: 'chat',
      model_requested: 'small',
      provider: 'sim',
      model_served: 'small',
      status: 200,
      error_kind: null,
      attempts: 1,
      feedback: [],
    })
    expect(Date.parse(one.time)).toBeGreaterThanOrEqual(startedMs - 1000)
    expect(one.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(one.input_tokens).toBeGreaterThan(0)
    expect(one.cost_usd).toBeGreaterThan(0)
    expect(one.latency_ms).toBeGreaterThan(0)
  })

  it('filters by tenant, key, model, status, error kind, request id and time', async () => {
    const ids = async (query: string) =>
      (await admin(gateway, 'GET', `/logs?${query}`)).json.data.map((r: any) => r.request_id).sort()
    expect(await ids('tenant=globex')).toEqual(['globex-ok-0', 'globex-ok-1', 'globex-ok-2'])
    expect(await ids(`key_id=${globexUser.id}&model=large`)).toHaveLength(3)
    expect(await ids('status=403')).toEqual(['acme-denied'])
    expect(await ids('error_kind=forbidden')).toEqual(['acme-denied'])
    expect(await ids('request_id=acme-ok-2')).toEqual(['acme-ok-2'])
    const all = (await admin(gateway, 'GET', '/logs')).json.data
    const t = Date.parse(all.find((r: any) => r.request_id === 'globex-ok-0').time)
    expect(await ids(`from=${t}`)).toEqual(expect.arrayContaining(['globex-ok-0']))
    expect(await ids(`to=${new Date(t).toISOString()}`)).not.toContain('globex-ok-0')
    expect(await ids('from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z')).toEqual([])
  })

  it('pages with next_cursor without gaps or repeats', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const res: any = await admin(gateway, 'GET', `/logs?limit=4${cursor ? `&cursor=${cursor}` : ''}`)
      expect(res.status).toBe(200)
      expect(res.json.data.length).toBeLessThanOrEqual(4)
      seen.push(...res.json.data.map((r: any) => r.request_id))
      cursor = res.json.next_cursor
    } while (cursor)
    expect(seen).toHaveLength(9)
    expect(new Set(seen).size).toBe(9)
  })

  it('answers 400 naming the parameter for bad input, and for a forged cursor', async () => {
    const cases: Array<[string, string]> = [
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['status=abc', 'status'],
      ['from=yesterday', 'from'],
      ['to=2026-13-45', 'to'],
      ['from=2026-02-30T00:00:00Z', 'from'],
      ['from=2026-11-29T10:00:00Z&to=2026-11-29T09:00:00Z', 'to'],
      ['tennant=acme', 'tennant'],
      ['tenant=a&tenant=b', 'tenant'],
      ['cursor=bm90LWpzb24', 'cursor'],
      [`cursor=${Buffer.from('[1,2]').toString('base64url')}`, 'cursor'],
    ]
    for (const [query, param] of cases) {
      const res = await admin(gateway, 'GET', `/logs?${query}`)
      expect(res.status, query).toBe(400)
      expect(res.json.error.param, query).toBe(param)
      expect(res.json.error.message, query).toContain(`${param}:`)
    }
  })

  it('shows one record, and 404 for an unknown id', async () => {
    const res = await admin(gateway, 'GET', '/logs/acme-denied')
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ request_id: 'acme-denied', status: 403, error_kind: 'forbidden' })
    expect((await admin(gateway, 'GET', '/logs/no-such-request')).status).toBe(404)
  })

  it('lets admin and auditor search logs, admin, auditor and finops see usage; a tenant key sees its tenant only', async () => {
    for (const role of ['admin', 'auditor', 'finops', 'user'] as const) {
      const logs = await admin(gateway, 'GET', '/logs', undefined, acme[role])
      const usage = await admin(gateway, 'GET', '/usage?group_by=tenant', undefined, acme[role])
      expect(logs.status, `logs as ${role}`).toBe(role === 'admin' || role === 'auditor' ? 200 : 403)
      expect(usage.status, `usage as ${role}`).toBe(role === 'user' ? 403 : 200)
      if (logs.status === 200)
        expect(new Set(logs.json.data.map((r: any) => r.tenant)), role).toEqual(new Set(['acme']))
      if (usage.status === 200)
        expect(
          usage.json.data.map((r: any) => r.tenant),
          role,
        ).toEqual(['acme'])
    }
    expect((await admin(gateway, 'GET', '/logs?tenant=globex', undefined, acme.auditor)).status).toBe(403)
    expect((await admin(gateway, 'GET', '/usage?tenant=globex', undefined, acme.finops)).status).toBe(403)
    // Another tenant's record answers like a missing one.
    expect((await admin(gateway, 'GET', '/logs/globex-ok-0', undefined, acme.auditor)).status).toBe(404)
    expect((await admin(gateway, 'GET', '/logs/acme-ok-0', undefined, acme.auditor)).status).toBe(200)
    expect((await fetch(`${gateway.url}/admin/logs`)).status).toBe(401)
    expect((await fetch(`${gateway.url}/admin/usage`)).status).toBe(401)
  })

  it('aggregates usage by tenant and model with totals, and by the hour', async () => {
    const res = await admin(gateway, 'GET', '/usage?group_by=tenant,model')
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ object: 'usage', group_by: ['tenant', 'model'], interval: null })
    const rows = res.json.data
    expect(rows.map((r: any) => [r.tenant, r.model, r.requests, r.errors])).toEqual([
      ['acme', 'small', 5, 0],
      ['acme', null, 1, 1],
      ['globex', 'large', 3, 0],
    ])
    const logs = (await admin(gateway, 'GET', '/logs')).json.data
    const cost = logs.reduce((s: number, r: any) => s + (r.cost_usd ?? 0), 0)
    expect(res.json.totals.requests).toBe(9)
    expect(res.json.totals.errors).toBe(1)
    expect(res.json.totals.cost_usd).toBeCloseTo(cost, 9)
    expect(res.json.totals.input_tokens).toBe(
      logs.reduce((s: number, r: any) => s + (r.input_tokens ?? 0), 0),
    )
    const hourly = await admin(gateway, 'GET', '/usage?interval=hour')
    expect(hourly.json.interval).toBe('hour')
    const buckets = hourly.json.data.map((r: any) => r.bucket)
    for (const b of buckets) expect(b).toMatch(/T\d\d:00:00\.000Z$/)
    expect(hourly.json.data.reduce((s: number, r: any) => s + r.requests, 0)).toBe(9)
  })

  it('answers 400 naming the parameter for bad usage queries', async () => {
    const cases: Array<[string, string]> = [
      ['group_by=tenant,colour', 'group_by'],
      ['group_by=tenant,tenant', 'group_by'],
      ['interval=minute', 'interval'],
      ['interval=hour&from=2020-01-01T00:00:00Z', 'interval'],
      ['from=last-week', 'from'],
      ['limit=5', 'limit'],
    ]
    for (const [query, param] of cases) {
      const res = await admin(gateway, 'GET', `/usage?${query}`)
      expect(res.status, query).toBe(400)
      expect(res.json.error.param, query).toBe(param)
    }
  })

  it('takes feedback with the caller key, shows it in the log and counts it in usage', async () => {
    const given = await feedback(acme.user, { request_id: 'acme-ok-1', score: 1, comment: 'spot on' })
    expect(given.status).toBe(201)
    expect(given.json).toMatchObject({
      object: 'feedback',
      request_id: 'acme-ok-1',
      score: 1,
      comment: 'spot on',
    })
    expect((await feedback(acme.user, { request_id: 'acme-ok-1', score: -0.5 })).status).toBe(201)
    const record = (await admin(gateway, 'GET', '/logs/acme-ok-1')).json
    expect(record.feedback.map((f: any) => [f.score, f.comment, f.key_id])).toEqual([
      [1, 'spot on', acmeUserId],
      [-0.5, null, acmeUserId],
    ])
    const usage = (await admin(gateway, 'GET', '/usage?group_by=tenant')).json
    expect(usage.data.find((r: any) => r.tenant === 'acme')).toMatchObject({
      feedback_count: 2,
      avg_score: 0.25,
    })
    expect(usage.data.find((r: any) => r.tenant === 'globex')).toMatchObject({
      feedback_count: 0,
      avg_score: null,
    })
  })

  it('takes feedback on a request answered a moment ago (the queued record is flushed)', async () => {
    expect((await call(acme.user, 'acme-fresh')).status).toBe(200)
    expect((await feedback(acme.user, { request_id: 'acme-fresh', score: 0 })).status).toBe(201)
  })

  it('refuses feedback on another tenant’s or an unknown request (404), bad bodies (400), bad keys', async () => {
    const other = await feedback(acme.user, { request_id: 'globex-ok-0', score: 1 })
    expect(other.status).toBe(404)
    expect(other.json.error.param).toBe('request_id')
    expect((await feedback(acme.user, { request_id: 'nope', score: 1 })).status).toBe(404)
    const bodies: Array<[unknown, string | null]> = [
      [{ request_id: 'acme-ok-1', score: 2 }, 'score'],
      [{ request_id: 'acme-ok-1', score: -1.5 }, 'score'],
      [{ request_id: 'acme-ok-1', score: 'good' }, 'score'],
      [{ request_id: 'acme-ok-1' }, 'score'],
      [{ score: 1 }, 'request_id'],
      [{ request_id: 'acme-ok-1', score: 1, comment: 'x'.repeat(2001) }, 'comment'],
      [{ request_id: 'acme-ok-1', score: 1, rating: 5 }, null],
      [[1, 2], null],
    ]
    for (const [body, param] of bodies) {
      const res = await feedback(acme.user, body)
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400)
      expect(res.json.error.param).toBe(param)
    }
    expect((await feedback(acme.user, '{not json')).status).toBe(400)
    expect((await feedback(undefined, { request_id: 'acme-ok-1', score: 1 })).status).toBe(401)
    expect((await feedback('gth_wrong', { request_id: 'acme-ok-1', score: 1 })).status).toBe(401)
    // Admin-plane roles do not call models, and do not score their answers either.
    expect((await feedback(acme.finops, { request_id: 'acme-ok-1', score: 1 })).status).toBe(403)
    expect((await feedback(ADMIN_KEY, { request_id: 'acme-ok-1', score: 1 })).status).toBe(401)
  })
})

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
