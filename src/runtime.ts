import type { Alerter } from './alerts/alerter.js'
import { type AccessTable, createAccessTable } from './auth/access-table.js'
import type { Principal } from './auth/principal.js'
import type { TenantDirectory } from './auth/tenant-directory.js'
import type { Budgets } from './budgets/budgets.js'
import type { TenantConfig } from './config/access-schema.js'
import type { ResolvedConfig } from './config/load.js'
import type { Limiter } from './limits/limiter.js'
import { type BodyCipher, createBodyCipher, parseBodyKey } from './observability/body-cipher.js'
import type { Recorder } from './observability/recorder.js'
import type { Tracer } from './observability/tracer.js'
import { type Authenticator, authenticate, identify, resolveCaller } from './pipeline/authenticate.js'
import { authorize } from './pipeline/authorize.js'
import { budget } from './pipeline/budget.js'
import { checkOutput } from './pipeline/check-output.js'
import { classify } from './pipeline/classify.js'
import type { RequestContext } from './pipeline/context.js'
import { execute } from './pipeline/execute.js'
import { guard } from './pipeline/guard.js'
import { guardLoop } from './pipeline/guard-loop.js'
import { limit } from './pipeline/limit.js'
import { meter } from './pipeline/meter.js'
import { record } from './pipeline/record.js'
import { restore } from './pipeline/restore.js'
import { route } from './pipeline/route.js'
import { compose, type PipelineResult } from './pipeline/stage.js'
import type { Protector } from './protect/create-protector.js'
import type { ProtectionModule } from './protect/load-protection.js'
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
  /** Seals stored bodies (`logging.body_keys`); absent without keys. */
  readonly bodyCipher: BodyCipher | undefined
  /** Who a token stands for (config keys, virtual keys, JWTs), or undefined. */
  identify(token: string): Promise<Principal | undefined>
  /** Who calls the data plane with this token (401/403 otherwise). */
  caller(token: string | undefined): Promise<Principal>
  /** A tenant's settings: the config's, else one created through the admin API. */
  tenant(name: string): TenantConfig | undefined
  readonly pipeline: (ctx: RequestContext) => Promise<PipelineResult>
  readonly models: readonly ModelListEntry[]
  readonly loadedAt: Date
  /** Present when `tracing.enabled` is on. */
  readonly tracer?: Tracer | undefined
  /** Detection, data policy and guardrails; absent when `protect.enabled` is off. */
  readonly protect?: Protector | undefined
  /** Releases what this config version holds (scan workers); called after a reload retires it. */
  close(): Promise<void>
}

/** What outlives a config version: routing state, limits, budgets, alerts, key lookups, recorder. */
export interface RuntimeServices {
  routing: RoutingDeps
  authenticators: readonly Authenticator[]
  limiter: Limiter
  budgets: Budgets
  alerter: Alerter
  tenants: TenantDirectory
  /** Present when `logging.request_log` is on. */
  recorder?: Recorder | undefined
  /** Present when `tracing.enabled` is on (read at start). */
  tracer?: Tracer | undefined
  /** Secret the per-tenant keys of `hash` actions derive from when `protect.hash_key` is unset. */
  protectSecret: string
  /** The data-protection stack, loaded (`loadProtection`) when the config turns it on. */
  protection?: ProtectionModule | undefined
  now?: Date
}

export function createRuntime(
  config: ResolvedConfig,
  providers: ReadonlyMap<string, Provider>,
  services: RuntimeServices,
): Runtime {
  const { routing, now = new Date() } = services
  const access = createAccessTable(config)
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
  const protect = config.protect.enabled ? protectorFor(config, providers, services) : undefined
  return {
    config,
    providers,
    rules: compileRules(config.rules),
    routing: createRoutingTable(config),
    access,
    bodyCipher:
      config.logging.body_keys.length === 0
        ? undefined
        : createBodyCipher(config.logging.body_keys.map((k) => parseBodyKey(k.id, k.key.reveal()))),
    identify: (token) => identify(token, access, services.authenticators),
    caller: (token) => resolveCaller(token, config, access, services.authenticators),
    tenant: (name) => config.tenants[name] ?? services.tenants.get(name),
    // The request path, in order (DESIGN.md, "The request path"). Later capabilities add theirs.
    pipeline: compose([
      record(services.recorder, routing.metrics),
      authenticate(),
      authorize(),
      guardLoop(services.limiter, services.alerter, routing.metrics),
      limit(services.limiter, routing.metrics),
      classify(),
      guard(),
      route(routing),
      budget(services.budgets, routing.metrics),
      restore(),
      meter(routing.tokens, routing.metrics),
      checkOutput(),
      execute(routing),
    ]),
    models,
    loadedAt: now,
    tracer: services.tracer,
    protect,
    close: async () => {
      await protect?.close()
    },
  }
}

function protectorFor(
  config: ResolvedConfig,
  providers: ReadonlyMap<string, Provider>,
  { protection, protectSecret }: RuntimeServices,
): Protector {
  if (!protection) throw new Error('protect.enabled is on, but the protection module was not loaded')
  return protection.createProtector(config.protect, {
    secret: protectSecret,
    remote: protection.createRemoteChecks(config, providers),
  })
}
