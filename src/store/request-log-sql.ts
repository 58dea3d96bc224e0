import { decodeCursor, type RequestLogQuery, type RequestLogRecord, type RetentionQuery } from './store.js'

/** Columns in insert order; the same names in both dialects. */
export const LOG_COLUMNS = [
  'request_id',
  'ts',
  'tenant',
  'key_id',
  'user_id',
  'use_case',
  'operation',
  'model_requested',
  'route',
  'provider',
  'model_served',
  'status',
  'error_kind',
  'attempts',
  'trace',
  'sensitivity',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'latency_ms',
  'ttft_ms',
  'body_meta',
  'bodies',
  'body_key_id',
  'trace_id',
  'prompt',
  'context_sources',
  'upstream_ms',
  'model_version',
  'redactions',
  'guardrails',
] as const

export function logRow(r: RequestLogRecord): unknown[] {
  return [
    r.requestId,
    r.ts,
    r.tenant ?? null,
    r.keyId ?? null,
    r.user ?? null,
    r.useCase ?? null,
    r.operation,
    r.modelRequested,
    r.route ?? null,
    r.provider ?? null,
    r.modelServed ?? null,
    r.status,
    r.errorKind ?? null,
    r.attempts,
    r.trace === undefined ? null : JSON.stringify(r.trace),
    r.sensitivity ?? null,
    r.inputTokens ?? null,
    r.outputTokens ?? null,
    r.costUsd ?? null,
    r.latencyMs,
    r.ttftMs ?? null,
    r.bodyMeta === undefined ? null : JSON.stringify(r.bodyMeta),
    r.bodies ?? null,
    r.bodyKeyId ?? null,
    r.traceId ?? null,
    r.prompt ?? null,
    r.contextSources === undefined ? null : JSON.stringify(r.contextSources),
    r.upstreamMs ?? null,
    r.modelVersion ?? null,
    r.redactions === undefined ? null : JSON.stringify(r.redactions),
    r.guardrails === undefined ? null : JSON.stringify(r.guardrails),
  ]
}

/** A row back into a record; numbers may arrive as strings (PostgreSQL BIGINT). */
export function logRecord(row: Record<string, unknown>): RequestLogRecord {
  const text = (v: unknown) => (v === null || v === undefined ? undefined : String(v))
  const num = (v: unknown) => (v === null || v === undefined ? undefined : Number(v))
  const trace = row['trace']
  const json = (v: unknown) =>
    v === null || v === undefined ? undefined : typeof v === 'string' ? JSON.parse(v) : v
  return {
    requestId: String(row['request_id']),
    ts: Number(row['ts']),
    tenant: text(row['tenant']),
    keyId: text(row['key_id']),
    user: text(row['user_id']),
    useCase: text(row['use_case']),
    operation: String(row['operation']),
    modelRequested: String(row['model_requested']),
    route: text(row['route']),
    provider: text(row['provider']),
    modelServed: text(row['model_served']),
    status: Number(row['status']),
    errorKind: text(row['error_kind']),
    attempts: Number(row['attempts']),
    trace:
      trace === null || trace === undefined
        ? undefined
        : typeof trace === 'string'
          ? JSON.parse(trace)
          : trace,
    sensitivity: text(row['sensitivity']),
    inputTokens: num(row['input_tokens']),
    outputTokens: num(row['output_tokens']),
    costUsd: num(row['cost_usd']),
    latencyMs: Number(row['latency_ms']),
    ttftMs: num(row['ttft_ms']),
    bodyMeta: json(row['body_meta']),
    bodies: text(row['bodies']),
    bodyKeyId: text(row['body_key_id']),
    traceId: text(row['trace_id']),
    prompt: text(row['prompt']),
    contextSources: json(row['context_sources']),
    upstreamMs: num(row['upstream_ms']),
    modelVersion: text(row['model_version']),
    redactions: json(row['redactions']),
    guardrails: json(row['guardrails']),
  }
}

/**
 * The SELECT for a page of logs, newest first, with `placeholder(n)` for the dialect (`?` or
 * `$n`). One more row than the limit is fetched to know whether a next page exists.
 */
export function logQuery(
  query: RequestLogQuery,
  placeholder: (n: number) => string,
): { sql: string; params: unknown[] } {
  const where: string[] = []
  const params: unknown[] = []
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value)
    where.push(clause(placeholder(params.length)))
  }
  if (query.from !== undefined) add((p) => `ts >= ${p}`, query.from)
  if (query.to !== undefined) add((p) => `ts < ${p}`, query.to)
  if (query.tenant !== undefined) add((p) => `tenant = ${p}`, query.tenant)
  if (query.keyId !== undefined) add((p) => `key_id = ${p}`, query.keyId)
  if (query.model !== undefined) {
    params.push(query.model, query.model)
    where.push(
      `(model_requested = ${placeholder(params.length - 1)} OR model_served = ${placeholder(params.length)})`,
    )
  }
  if (query.status !== undefined) add((p) => `status = ${p}`, query.status)
  if (query.errorKind !== undefined) add((p) => `error_kind = ${p}`, query.errorKind)
  if (query.requestId !== undefined) add((p) => `request_id = ${p}`, query.requestId)
  if (query.cursor !== undefined) {
    const { ts, requestId } = decodeCursor(query.cursor)
    params.push(ts, ts, requestId)
    const [a, b, c] = [params.length - 2, params.length - 1, params.length].map(placeholder)
    where.push(`(ts < ${a} OR (ts = ${b} AND request_id < ${c}))`)
  }
  params.push(query.limit + 1)
  const sql =
    `SELECT * FROM request_logs${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}` +
    ` ORDER BY ts DESC, request_id DESC LIMIT ${placeholder(params.length)}`
  return { sql, params }
}

/**
 * A bounded DELETE of old records: by primary key through a sub-select, which both dialects accept
 * (SQLite's `DELETE ... LIMIT` needs a compile option), so a sweep never holds a long lock.
 */
export function retentionDelete(
  query: RetentionQuery,
  placeholder: (n: number) => string,
  table: 'request_logs' | 'feedback' = 'request_logs',
): { sql: string; params: unknown[] } {
  // Feedback goes with its request: aged by the request's time, never left orphaned.
  const [id, ts] = table === 'request_logs' ? ['request_id', 'ts'] : ['id', 'request_ts']
  const params: unknown[] = [query.before]
  const where = [`${ts} < ${placeholder(1)}`]
  if (query.tenant !== undefined) {
    params.push(query.tenant)
    where.push(`tenant = ${placeholder(params.length)}`)
  } else if (query.exceptTenants && query.exceptTenants.length > 0) {
    const marks = query.exceptTenants.map((t) => {
      params.push(t)
      return placeholder(params.length)
    })
    where.push(`(tenant IS NULL OR tenant NOT IN (${marks.join(', ')}))`)
  }
  params.push(query.limit)
  const sql =
    `DELETE FROM ${table} WHERE ${id} IN (SELECT ${id} FROM ${table} WHERE ${where.join(' AND ')}` +
    ` ORDER BY ${ts} LIMIT ${placeholder(params.length)})`
  return { sql, params }
}
