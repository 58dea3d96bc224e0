import type { Alerter } from './alerts/alerter.js'
import { type AccessTable, createAccessTable } from './auth/access-table.js'
import type { Budgets } from './budgets/budgets.js'
import type { ResolvedConfig } from './config/load.js'
import type { Limiter } from './limits/limiter.js'
import type { Recorder } from './observability/recorder.js'
import type { Tracer } from './observability/tracer.js'
import { type Authenticator, authenticate } from './pipeline/authenticate.js'
import { authorize } from './pipeline/authorize.js'
import { budget } from './pipeline/budget.js'
import type { RequestContext } from './pipeline/context.js'
import { execute } from './pipeline/execute.js'
import { guardLoop } from './pipeline/guard-loop.js'
import { limit } from './pipeline/limit.js'
import { meter } from './pipeline/meter.js'
import { record } from './pipeline/record.js'
import { route } from './pipeline/route.js'
import { compose, type PipelineResult } from './pipeline/stage.js'
import type { Provider } from './providers/types.js'
import { createRoutingTable, type RoutingTable } from './routing/route-policy.js'
import type { RoutingDeps } from './routing/routing-deps.js'
import { type CompiledRule, compileRules } from './routing/rules.js'

export interface ModelListEntry {
  id: string
  object: 'model'
  created: number
  owned_by: string
}

/**
 * Everything one config version needs to serve requests. A request takes the runtime current when
 * it starts and keeps it to the end, so a reload never changes a request halfway.
 */
export interface Runtime {
  readonly config: ResolvedConfig
  readonly providers: ReadonlyMap<string, Provider>
  readonly rules: readonly CompiledRule[]
  /** Route policies and price-ordered routes, derived once from the config. */
  readonly routing: RoutingTable
  /** Config-declared keys, derived once. */
  readonly access: AccessTable
  readonly pipeline: (ctx: RequestContext) => Promise<PipelineResult>
  readonly models: readonly ModelListEntry[]
  readonly loadedAt: Date
  /** Present when `tracing.enabled` is on. */
  readonly tracer?: Tracer | undefined
}

/** What outlives a config version: routing state, limits, budgets, alerts, key lookups, recorder. */
export interface RuntimeServices {
  routing: RoutingDeps
  authenticators: readonly Authenticator[]
  limiter: Limiter
  budgets: Budgets
  alerter: Alerter
  /** Present when `logging.request_log` is on. */
  recorder?: Recorder | undefined
  /** Present when `tracing.enabled` is on (read at start). */
  tracer?: Tracer | undefined
  now?: Date
}

export function createRuntime(
  config: ResolvedConfig,
  providers: ReadonlyMap<string, Provider>,
  services: RuntimeServices,
): Runtime {
  const { routing, now = new Date() } = services
  const created = Math.floor(now.getTime() / 1000)
  const models: ModelListEntry[] = [
    ...Object.values(config.models).map((m) => ({
      id: m.name,
      object: 'model' as const,
      created,
      owned_by: m.provider,
    })),
    ...Object.values(config.routes).map((r) => ({
      id: r.name,
      object: 'model' as const,
      created,
      owned_by: 'gatehouse',
    })),
  ]
  return {
    config,
    providers,
    rules: compileRules(config.rules),
    routing: createRoutingTable(config),
    access: createAccessTable(config),
    // The request path, in order (DESIGN.md, "The request path"). Later capabilities add theirs.
    pipeline: compose([
      record(services.recorder),
      authenticate(services.authenticators),
      authorize(),
      guardLoop(services.limiter, services.alerter),
      limit(services.limiter),
      route(routing),
      budget(services.budgets),
      meter(routing.tokens),
      execute(routing),
    ]),
    models,
    loadedAt: now,
    tracer: services.tracer,
  }
}
