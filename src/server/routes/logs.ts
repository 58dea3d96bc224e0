import type { FastifyInstance, FastifyRequest } from 'fastify'
import { GatewayError } from '../../errors.js'
import type { BodyCipher } from '../../observability/body-cipher.js'
import { InvalidCursorError, type RequestLogRecord, type Store } from '../../store/store.js'
import { USAGE_GROUPS, USAGE_INTERVALS, type UsageInterval } from '../../store/usage-sql.js'
import { logView, usageTotals, usageView } from '../log-view.js'
import { bad, QueryParams } from '../query-params.js'

export interface LogRouteDeps {
  store: Pick<Store, 'queryRequestLogs' | 'listFeedback' | 'usage'>
  now: () => number
  /** The current config's body cipher, to open sealed bodies for `GET /admin/logs/{id}`. */
  cipher?: () => BodyCipher | undefined
}

const LOG_PARAMS = [
  'from',
  'to',
  'tenant',
  'key_id',
  'model',
  'status',
  'error_kind',
  'request_id',
  'limit',
  'cursor',
] as const
const USAGE_PARAMS = ['from', 'to', 'tenant', 'group_by', 'interval'] as const
/** Enough for 80 days by the hour or 5 years by the day; more is a mistake or a denial of service. */
const MAX_BUCKETS = 2_000

/**
 * Request-log search and usage aggregates on the admin plane (registered inside its role check).
 * A tenant's key sees its tenant only: asking for another is 403, and another tenant's record
 * answers like a missing one.
 */
/** The sealed prompt and answer of one record, opened for the admin or auditor asking. */
function openBodies(record: RequestLogRecord, cipher: BodyCipher | undefined) {
  if (record.bodies === undefined) return {}
  if (!cipher)
    return { body: null, body_error: 'logging.body_keys is not configured: the body cannot be opened' }
  try {
    return { body: JSON.parse(cipher.open(record.bodies, record.requestId)) as unknown }
  } catch (err) {
    return { body: null, body_error: (err as Error).message }
  }
}

export function registerLogRoutes(admin: FastifyInstance, deps: LogRouteDeps): void {
  admin.get('/logs', { config: { roles: ['auditor'] } }, async function searchLogs(request) {
    const q = new QueryParams(request.query, LOG_PARAMS)
    const query = {
      from: q.time('from'),
      to: q.time('to'),
      tenant: scopeTenant(request, q.text('tenant')),
      keyId: q.text('key_id'),
      model: q.text('model'),
      status: q.integer('status', 100, 599),
      errorKind: q.text('error_kind'),
      requestId: q.text('request_id'),
      limit: q.integer('limit', 1, 1000) ?? 100,
      cursor: q.text('cursor', 512),
    }
    if (query.from !== undefined && query.to !== undefined && query.from >= query.to)
      throw bad('to', 'must be later than from')
    try {
      const page = await deps.store.queryRequestLogs(query)
      return {
        object: 'list',
        data: await withFeedback(deps, page.records),
        next_cursor: page.nextCursor ?? null,
      }
    } catch (err) {
      if (err instanceof InvalidCursorError)
        throw bad('cursor', 'not a cursor this API returned (pass next_cursor unchanged)')
      throw err
    }
  })

  admin.get('/logs/:id', { config: { roles: ['auditor'] } }, async function getLog(request) {
    const { id } = request.params as { id: string }
    const page = await deps.store.queryRequestLogs({ requestId: id, limit: 1 })
    const record = page.records[0]
    if (!record || !visible(request, record.tenant))
      throw new GatewayError('not_found', `No request log with id ${id.slice(0, 200)}.`)
    const [view] = await withFeedback(deps, [record])
    return { ...view, ...openBodies(record, deps.cipher?.()) }
  })

  admin.get('/usage', { config: { roles: ['auditor', 'finops'] } }, async function usage(request) {
    const q = new QueryParams(request.query, USAGE_PARAMS)
    const interval = q.oneOf('interval', Object.keys(USAGE_INTERVALS) as UsageInterval[])
    const groupBy = q.list('group_by', USAGE_GROUPS)
    const to = q.time('to') ?? deps.now()
    // By default the last day, or the last 30 days by the day.
    const from = q.time('from') ?? to - (interval === 'day' ? 30 : 1) * USAGE_INTERVALS.day
    if (from >= to) throw bad('to', 'must be later than from')
    if (interval && (to - from) / USAGE_INTERVALS[interval] > MAX_BUCKETS)
      throw bad(
        'interval',
        `more than ${MAX_BUCKETS} ${interval}s in the range: narrow it or use interval=day`,
      )
    const tenant = scopeTenant(request, q.text('tenant'))
    const rows = await deps.store.usage({ from, to, groupBy, interval, tenant })
    return {
      object: 'usage',
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      group_by: groupBy,
      interval: interval ?? null,
      data: rows.map(usageView),
      totals: usageTotals(rows),
    }
  })
}

async function withFeedback(deps: LogRouteDeps, records: readonly RequestLogRecord[]) {
  const feedback = await deps.store.listFeedback(records.map((r) => r.requestId))
  return records.map((r) =>
    logView(
      r,
      feedback.filter((f) => f.requestId === r.requestId),
    ),
  )
}

/** The tenant to filter on: any (or the one asked) for a global admin, its own for a tenant key. */
function scopeTenant(request: FastifyRequest, asked: string | undefined): string | undefined {
  const { tenant, keyName } = request.principal!
  if (tenant === '*') return asked
  if (asked !== undefined && asked !== tenant)
    throw new GatewayError('forbidden', `The key '${keyName}' may only see tenant ${tenant}.`, {
      param: 'tenant',
    })
  return tenant
}

function visible(request: FastifyRequest, tenant: string | undefined): boolean {
  const own = request.principal!.tenant
  return own === '*' || own === tenant
}
