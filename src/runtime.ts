import type { ResolvedConfig } from './config/load.js'
import type { Recorder } from './observability/recorder.js'
import type { RequestContext } from './pipeline/context.js'
import { execute } from './pipeline/execute.js'
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
  readonly pipeline: (ctx: RequestContext) => Promise<PipelineResult>
  readonly models: readonly ModelListEntry[]
  readonly loadedAt: Date
}

export function createRuntime(
  config: ResolvedConfig,
  providers: ReadonlyMap<string, Provider>,
  routing: RoutingDeps,
  recorder?: Recorder,
  now = new Date(),
): Runtime {
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
    // The request path, in order. Later capabilities add their stages here.
    pipeline: compose([record(recorder), route(routing), execute(routing)]),
    models,
    loadedAt: now,
  }
}
