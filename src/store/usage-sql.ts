import type { SqlRunner } from './access-sql.js'

/** What usage can be grouped by; `model` is the model served. */
export const USAGE_GROUPS = ['tenant', 'key_id', 'model', 'route', 'provider'] as const
export type UsageGroup = (typeof USAGE_GROUPS)[number]

export const USAGE_INTERVALS = { hour: 3_600_000, day: 86_400_000 } as const
export type UsageInterval = keyof typeof USAGE_INTERVALS

export interface UsageQuery {
  /** Epoch ms, inclusive. */
  from: number
  /** Epoch ms, exclusive. */
  to: number
  groupBy: readonly UsageGroup[]
  /** UTC hours or days. */
  interval?: UsageInterval | undefined
  /** Only this tenant's requests. */
  tenant?: string | undefined
}

export interface UsageRow {
  /** One value per `groupBy` entry, in its order; null where the record has none. */
  group: Partial<Record<UsageGroup, string | null>>
  /** Start of the bucket (epoch ms), with an interval. */
  bucket?: number
  requests: number
  /** Status >= 400, or a stream that failed after its first byte. */
  errors: number
  inputTokens: number
  outputTokens: number
  costUsd: number
  avgLatencyMs: number
  feedbackCount: number
  /** Mean feedback score, null without feedback. */
  avgScore: number | null
}

export interface UsageStore {
  usage(query: UsageQuery): Promise<UsageRow[]>
}

const COLUMN: Record<UsageGroup, string> = {
  tenant: 'r.tenant',
  key_id: 'r.key_id',
  model: 'r.model_served',
  route: 'r.route',
  provider: 'r.provider',
}

/**
 * One SQL for both dialects: buckets are integer arithmetic on the epoch-ms column (`ts / size *
 * size` truncates in SQLite INTEGER and PostgreSQL BIGINT alike), so no date functions differ.
 * Feedback joins as a per-request pre-aggregate, so several feedbacks never multiply a request.
 */
export function usageQuery(query: UsageQuery): { sql: string; params: unknown[] } {
  const select: string[] = query.groupBy.map((g, i) => `${COLUMN[g]} AS g${i}`)
  const groupBy: string[] = query.groupBy.map((g) => COLUMN[g])
  if (query.interval) {
    // The size comes from a closed table, never from the caller's text.
    const size = USAGE_INTERVALS[query.interval]
    select.push(`(r.ts / ${size}) * ${size} AS bucket`)
    groupBy.push(`(r.ts / ${size}) * ${size}`)
  }
  // In the order of the SQL text: the feedback subquery's window, then the requests'.
  const params: unknown[] = [query.from, query.to, query.from, query.to]
  let where = 'r.ts >= ? AND r.ts < ?'
  if (query.tenant !== undefined) {
    where += ' AND r.tenant = ?'
    params.push(query.tenant)
  }
  const sql = `SELECT ${[
    ...select,
    'COUNT(*) AS requests',
    'SUM(CASE WHEN r.status >= 400 OR r.error_kind IS NOT NULL THEN 1 ELSE 0 END) AS errors',
    'SUM(r.input_tokens) AS input_tokens',
    'SUM(r.output_tokens) AS output_tokens',
    'SUM(r.cost_usd) AS cost_usd',
    'AVG(r.latency_ms) AS avg_latency_ms',
    'SUM(COALESCE(f.n, 0)) AS feedback_count',
    'SUM(f.s) AS score_sum',
  ].join(', ')}
    FROM request_logs r
    LEFT JOIN (
      SELECT request_id, COUNT(*) AS n, SUM(score) AS s FROM feedback
      WHERE request_ts >= ? AND request_ts < ? GROUP BY request_id
    ) f ON f.request_id = r.request_id
    WHERE ${where}${groupBy.length > 0 ? ` GROUP BY ${groupBy.join(', ')} ORDER BY ${orderBy(groupBy, query)}` : ''}`
  return { sql, params }
}

/** Time first, then groups with NULLs last in both dialects (their defaults differ). */
function orderBy(groupBy: readonly string[], query: UsageQuery): string {
  const [bucket, groups] = query.interval ? [groupBy.at(-1)!, groupBy.slice(0, -1)] : [undefined, groupBy]
  return [...(bucket ? [bucket] : []), ...groups.flatMap((c) => [`(${c} IS NULL)`, c])].join(', ')
}

export function createUsageStore(db: SqlRunner): UsageStore {
  return {
    async usage(query) {
      const { sql, params } = usageQuery(query)
      const rows = await db.all(sql, params)
      // Without GROUP BY an empty window still yields one row of NULLs: no row, no usage.
      return rows.filter((row) => Number(row['requests']) > 0).map((row) => usageRow(row, query))
    },
  }
}

function usageRow(row: Record<string, unknown>, query: UsageQuery): UsageRow {
  // PostgreSQL returns COUNT and SUM over integers as strings (BIGINT, NUMERIC).
  const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v))
  const group: UsageRow['group'] = {}
  query.groupBy.forEach((g, i) => {
    const v = row[`g${i}`]
    group[g] = v === null || v === undefined ? null : String(v)
  })
  const feedbackCount = num(row['feedback_count'])
  return {
    group,
    ...(query.interval ? { bucket: num(row['bucket']) } : {}),
    requests: num(row['requests']),
    errors: num(row['errors']),
    inputTokens: num(row['input_tokens']),
    outputTokens: num(row['output_tokens']),
    costUsd: Math.round(num(row['cost_usd']) * 1e9) / 1e9,
    avgLatencyMs: Math.round(num(row['avg_latency_ms']) * 100) / 100,
    feedbackCount,
    avgScore: feedbackCount > 0 ? Math.round((num(row['score_sum']) / feedbackCount) * 1e4) / 1e4 : null,
  }
}
