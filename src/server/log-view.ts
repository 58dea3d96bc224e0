import type { FeedbackRecord, RequestLogRecord, UsageRow } from '../store/store.js'

const iso = (ms: number) => new Date(ms).toISOString()

/** A request-log record as the admin API shows it: snake_case, ISO times, null for absent. */
export function logView(r: RequestLogRecord, feedback: readonly FeedbackRecord[]) {
  return {
    object: 'request_log',
    request_id: r.requestId,
    trace_id: r.traceId ?? null,
    time: iso(r.ts),
    tenant: r.tenant ?? null,
    key_id: r.keyId ?? null,
    user: r.user ?? null,
    use_case: r.useCase ?? null,
    operation: r.operation,
    model_requested: r.modelRequested,
    route: r.route ?? null,
    provider: r.provider ?? null,
    model_served: r.modelServed ?? null,
    model_version: r.modelVersion ?? null,
    status: r.status,
    error_kind: r.errorKind ?? null,
    attempts: r.attempts,
    sensitivity: r.sensitivity ?? null,
    redactions: r.redactions ?? null,
    guardrails: r.guardrails ?? null,
    input_tokens: r.inputTokens ?? null,
    output_tokens: r.outputTokens ?? null,
    cost_usd: r.costUsd ?? null,
    latency_ms: r.latencyMs,
    ttft_ms: r.ttftMs ?? null,
    upstream_ms: r.upstreamMs ?? null,
    prompt: r.prompt ?? null,
    context_sources: r.contextSources ?? null,
    trace: r.trace ?? null,
    body_meta: r.bodyMeta ?? null,
    body_key_id: r.bodyKeyId ?? null,
    feedback: feedback.map(feedbackView),
  }
}

export function feedbackView(f: FeedbackRecord) {
  return {
    id: f.id,
    score: f.score,
    comment: f.comment ?? null,
    key_id: f.keyId ?? null,
    created_at: iso(f.ts),
  }
}

type Totals = Omit<UsageRow, 'group' | 'bucket'>

/** One usage row: its group values, its bucket start, then the figures. */
export function usageView(row: UsageRow) {
  return {
    ...row.group,
    ...(row.bucket === undefined ? {} : { bucket: iso(row.bucket) }),
    ...figures(row),
  }
}

/** Sums, and averages weighted by what they average over (requests, feedbacks). */
export function usageTotals(rows: readonly UsageRow[]) {
  const t: Totals = {
    requests: 0,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    avgLatencyMs: 0,
    feedbackCount: 0,
    avgScore: null,
  }
  let latency = 0
  let score = 0
  for (const r of rows) {
    t.requests += r.requests
    t.errors += r.errors
    t.inputTokens += r.inputTokens
    t.outputTokens += r.outputTokens
    t.costUsd += r.costUsd
    t.feedbackCount += r.feedbackCount
    latency += r.avgLatencyMs * r.requests
    score += (r.avgScore ?? 0) * r.feedbackCount
  }
  t.costUsd = Math.round(t.costUsd * 1e9) / 1e9
  t.avgLatencyMs = t.requests > 0 ? Math.round((latency / t.requests) * 100) / 100 : 0
  t.avgScore = t.feedbackCount > 0 ? Math.round((score / t.feedbackCount) * 1e4) / 1e4 : null
  return figures(t)
}

function figures(r: Totals) {
  return {
    requests: r.requests,
    errors: r.errors,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    cost_usd: r.costUsd,
    avg_latency_ms: r.avgLatencyMs,
    feedback_count: r.feedbackCount,
    avg_score: r.avgScore,
  }
}
