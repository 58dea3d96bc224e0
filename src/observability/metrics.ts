import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { BreakerRegistry, BreakerState } from '../routing/circuit-breaker.js'
import type { RoutingMetrics } from '../routing/routing-deps.js'
import type { TargetStats } from '../routing/target-stats.js'
import type { Recorder } from './recorder.js'

// From 5 ms (a cached answer) to 2 min (a long generation).
const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 }

export interface Metrics extends RoutingMetrics {
  readonly registry: Registry
}

/**
 * Prometheus metrics, one registry per gateway (no global default registry, so tests and several
 * gateways in one process never share counters). Labels are config names only: bounded.
 */
export interface MetricsSources {
  /** The configured target names (the current config's models). */
  targets: () => Iterable<string>
  breakers: BreakerRegistry
  stats: TargetStats
  recorder?: Recorder | undefined
  /** Shared with the other metric sources (access services); a new one if absent. */
  registry?: Registry
}

export function createMetrics({ targets, breakers, stats, recorder, ...rest }: MetricsSources): Metrics {
  const registry = rest.registry ?? new Registry()
  const attempts = new Counter({
    name: 'gatehouse_upstream_attempts_total',
    help: 'Upstream attempts by target and outcome (ok or the failure class).',
    labelNames: ['target', 'outcome'] as const,
    registers: [registry],
  })
  const retries = new Counter({
    name: 'gatehouse_retries_total',
    help: 'Retries of the same target after a retryable failure.',
    labelNames: ['target'] as const,
    registers: [registry],
  })
  const fallbacks = new Counter({
    name: 'gatehouse_fallbacks_total',
    help: 'Requests that moved on from a target to the next one.',
    labelNames: ['target'] as const,
    registers: [registry],
  })
  new Gauge({
    name: 'gatehouse_circuit_breaker_state',
    help: 'Circuit breaker state per target: 0 closed, 1 half-open, 2 open.',
    labelNames: ['target'] as const,
    registers: [registry],
    collect() {
      this.reset()
      const live = new Map(breakers.entries())
      for (const target of targets()) this.set({ target }, STATE_VALUE[live.get(target)?.state ?? 'closed'])
    },
  })
  new Gauge({
    name: 'gatehouse_target_in_flight',
    help: 'Calls in flight per target from this process.',
    labelNames: ['target'] as const,
    registers: [registry],
    collect() {
      this.reset()
      for (const target of targets()) this.set({ target }, stats.inFlight(target))
    },
  })
  if (recorder) {
    new Gauge({
      name: 'gatehouse_request_log_queue_depth',
      help: 'Request-log records waiting to be written to the store.',
      registers: [registry],
      collect() {
        this.set(recorder.depth)
      },
    })
    new Counter({
      name: 'gatehouse_request_log_dropped_total',
      help: 'Request-log records dropped because the queue was full.',
      registers: [registry],
      collect() {
        this.reset()
        this.inc(recorder.droppedTotal)
      },
    })
  }
  const rejections = new Counter({
    name: 'gatehouse_rejections_total',
    help: 'Calls refused before any provider was called, by reason (rate_limit, concurrency, budget, loop) and scope (key, tenant, model, global).',
    labelNames: ['reason', 'scope'] as const,
    registers: [registry],
  })
  const sensitivity = new Counter({
    name: 'gatehouse_requests_by_sensitivity_total',
    help: 'Requests classified, by tenant and sensitivity (public, internal, confidential, restricted).',
    labelNames: ['tenant', 'sensitivity'] as const,
    registers: [registry],
  })
  const redactions = new Counter({
    name: 'gatehouse_redactions_total',
    help: 'Values masked, hashed or pseudonymized before a provider saw them, by tenant and entity type.',
    labelNames: ['tenant', 'type'] as const,
    registers: [registry],
  })
  const verdicts = new Counter({
    name: 'gatehouse_guardrail_verdicts_total',
    help: 'Guardrail verdicts by rule and action (block, flag, log).',
    labelNames: ['rule', 'action'] as const,
    registers: [registry],
  })
  const tokens = new Counter({
    name: 'gatehouse_tokens_total',
    help: 'Tokens metered per target and tenant, by type (input, output).',
    labelNames: ['target', 'tenant', 'type'] as const,
    registers: [registry],
  })
  const cost = new Counter({
    name: 'gatehouse_cost_usd_total',
    help: 'Cost metered per target and tenant, USD.',
    labelNames: ['target', 'tenant'] as const,
    registers: [registry],
  })
  const upstreamSeconds = new Histogram({
    name: 'gatehouse_upstream_duration_seconds',
    help: 'Upstream attempts by target and outcome: time to the answer (streams: to the first event).',
    labelNames: ['target', 'outcome'] as const,
    buckets: LATENCY_BUCKETS_S,
    registers: [registry],
  })
  const requestSeconds = new Histogram({
    name: 'gatehouse_request_duration_seconds',
    help: 'Requests by model asked, tenant and status: whole duration (streams: to their end).',
    labelNames: ['model', 'tenant', 'status'] as const,
    buckets: LATENCY_BUCKETS_S,
    registers: [registry],
  })
  const ttftSeconds = new Histogram({
    name: 'gatehouse_time_to_first_token_seconds',
    help: 'Streams by model asked and tenant: time to the first event sent to the caller.',
    labelNames: ['model', 'tenant'] as const,
    buckets: LATENCY_BUCKETS_S,
    registers: [registry],
  })
  const errors = new Counter({
    name: 'gatehouse_errors_total',
    help: 'Failed requests by model asked, tenant and error kind.',
    labelNames: ['model', 'tenant', 'kind'] as const,
    registers: [registry],
  })
  const request = children(requestSeconds)
  const ttft = children(ttftSeconds)
  const error = children(errors)
  const sensitivityOf = children(sensitivity)
  const redactionsOf = children(redactions)
  const verdictsOf = children(verdicts)
  const tokensOf = children(tokens)
  const costOf = children(cost)
  const attemptsOf = children(attempts)
  const upstreamOf = children(upstreamSeconds)
  return {
    registry,
    request({ model, tenant, status, errorKind, durationMs, ttftMs }) {
      request(model, tenant, String(status)).observe(durationMs / 1000)
      if (ttftMs !== undefined) ttft(model, tenant).observe(ttftMs / 1000)
      if (errorKind !== undefined) error(model, tenant, errorKind).inc()
    },
    rejected: (reason, scope) => rejections.inc({ reason, scope }),
    protected(done) {
      sensitivityOf(done.tenant, done.sensitivity).inc()
      for (const [type, n] of Object.entries(done.redactions ?? {})) redactionsOf(done.tenant, type).inc(n)
      for (const v of done.verdicts ?? []) verdictsOf(v.rule, v.action).inc()
    },
    metered(target, tenant, usage, usd) {
      tokensOf(target, tenant, 'input').inc(usage.input)
      tokensOf(target, tenant, 'output').inc(usage.output)
      if (usd !== undefined) costOf(target, tenant).inc(usd)
    },
    attempt(target, outcome, durationMs) {
      attemptsOf(target, outcome).inc()
      if (durationMs !== undefined) upstreamOf(target, outcome).observe(durationMs / 1000)
    },
    retry: (target) => retries.inc({ target }),
    fallback: (target) => fallbacks.inc({ target }),
  }
}

/**
 * `metric.labels(...values)`, remembered per label values: prom-client hashes a label object on
 * every call, several times per request. Values arrive in the metric's `labelNames` order; label
 * values are bounded (config names, error kinds), so the map is too.
 */
function children<C>(metric: { labels(...values: string[]): C }): (...values: string[]) => C {
  const made = new Map<string, C>()
  return (...values) => {
    const key = values.join('\u0000')
    let child = made.get(key)
    if (child === undefined) {
      child = metric.labels(...values)
      made.set(key, child)
    }
    return child
  }
}
