import type { FastifyBaseLogger } from 'fastify'
import type { Principal } from '../auth/principal.js'
import type { CancelSignal } from '../cancel-signal.js'
import type { ResolvedModel } from '../config/load.js'
import type { Sensitivity, SimulateConfig } from '../config/schema.js'
import type { ErrorKind, UpstreamFailure } from '../errors.js'
import type { RequestSpan } from '../observability/tracer.js'
import type { GuardVerdict } from '../protect/create-guardrails.js'
import type { RequestProtection } from '../protect/request-protection.js'
import type { ChatBody, EmbeddingsBody, Provider, Usage } from '../providers/types.js'
import type { RoutePolicy } from '../routing/route-policy.js'
import type { RouteTrace } from '../routing/route-trace.js'
import type { Runtime } from '../runtime.js'

/** Caller metadata from `x-gatehouse-*` headers: recorded, and used by routing rules. */
export interface CallerMeta {
  user?: string
  useCase?: string
  /** As declared by the caller; the effective level is `RequestContext.sensitivity`. */
  sensitivity?: Sensitivity
  domain?: string
  /** Latency objective, e.g. `interactive` or `batch` (`x-gatehouse-latency`). */
  latency?: string
  contextSources?: string[]
  prompt?: string
  /** `x-gatehouse-meta-<key>: value` headers. */
  metadata: Record<string, string>
  /** `x-gatehouse-max-cost-usd`: skip targets whose estimated cost is above it. */
  maxCostUsd?: number
  /** `x-gatehouse-timeout-ms`: the caller's deadline for the whole request. */
  timeoutMs?: number
}

export interface Target {
  /** The model entry's name in config. */
  name: string
  model: ResolvedModel
  provider: Provider
}

export interface Attempt {
  target: string
  provider: string
  /** 1 for the first try on this target. */
  attempt: number
  durationMs: number
  ok: boolean
  failure?: UpstreamFailure
  status?: number
  /** Backoff slept before this attempt. */
  waitedMs?: number
}

export type Operation = 'chat' | 'embeddings'

/** Everything one request carries through the stages. Created by ingress, read by every stage. */
export interface RequestContext {
  readonly id: string
  readonly startedAtMs: number
  readonly operation: Operation
  readonly body: ChatBody | EmbeddingsBody
  readonly stream: boolean
  readonly meta: CallerMeta
  readonly signal: CancelSignal
  readonly simulate: SimulateConfig | undefined
  readonly runtime: Runtime
  readonly log: FastifyBaseLogger
  /** The stage running now, for logs. */
  stage: string
  /** Effective sensitivity: the caller's declaration, the tenant's floor (authorize), what classify found. */
  sensitivity?: Sensitivity
  /** What classify found and the per-destination transformed bodies; absent when protection is off. */
  protection?: RequestProtection
  /** Entity type → values masked, hashed or pseudonymized in the body the serving target received. */
  redactions?: Record<string, number>
  /** Guardrail verdicts on the request and the answer. */
  guardrails?: GuardVerdict[]
  /** The request body's size as received (content-length), for cheap token estimates. */
  readonly bodyBytes?: number | undefined
  /** Headers every answer carries, success or error (rate-limit state, cost). */
  readonly responseHeaders: Record<string, string>
  /** The caller's bearer token (or x-api-key); read by authenticate only, never logged. */
  readonly credential: string | undefined
  /** Who calls, set by authenticate. */
  principal?: Principal
  /** The principal's tenant, set by authenticate. */
  tenant?: string
  /** Ordered targets to try, set by route. */
  targets: Target[]
  /** Retry, timeout and fallback settings of the route chosen. */
  policy?: RoutePolicy
  trace?: RouteTrace
  attempts: Attempt[]
  /** `version`: the model string the provider answered with (e.g. a dated snapshot), when it said. */
  served?: { provider: string; model: string; target: string; version?: string }
  usage?: Usage
  /** What the call cost, set by meter. */
  costUsd?: number
  /** Pending when meter is still counting tokens of a cut stream; `usage`/`costUsd` follow it. */
  metering?: Promise<void>
  /**
   * Bookkeeping that waits until the answer has been handed to the caller (set by the HTTP runner,
   * which runs it then; absent, `afterAnswer` runs it at once). See `afterAnswer` in when-done.ts.
   */
  afterAnswer?: Array<() => void>
  firstByteAtMs?: number
  outcome?: { status: number; errorKind?: ErrorKind }
  /** The request's trace span, when tracing is on; ended by the record stage. */
  span?: RequestSpan | undefined
}
