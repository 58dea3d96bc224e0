import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { type DestinationStream, type Logger, pino } from 'pino'
import { Registry } from 'prom-client'
import { createAccessServices } from './access-services.js'
import type { TenantDirectory } from './auth/tenant-directory.js'
import { packageVersion } from './cli/version.js'
import { type LoadResult, loadConfigFile, type ResolvedConfig } from './config/load.js'
import { watchConfig } from './config/watch.js'
import { createMetrics } from './observability/metrics.js'
import { Recorder } from './observability/recorder.js'
import { startRetentionSweeper } from './observability/retention-sweeper.js'
import type { Tracing } from './observability/start-tracing.js'
import { loadProtection, type ProtectionModule } from './protect/load-protection.js'
import { ProviderRegistry } from './providers/registry.js'
import { BreakerRegistry } from './routing/circuit-breaker.js'
import { createTokenEstimator } from './routing/estimate-tokens.js'
import type { RoutingDeps } from './routing/routing-deps.js'
import { TargetStats } from './routing/target-stats.js'
import { createRuntime, type Runtime } from './runtime.js'
import { buildApp } from './server/app.js'
import { InFlightRequests } from './server/in-flight-requests.js'
import { openStore, redactStoreUrl } from './store/open-store.js'
import type { Store } from './store/store.js'

export interface GatehouseOptions {
  configPath: string
  /** Only `config/` and this file read the environment; tests pass their own. */
  env?: NodeJS.ProcessEnv
  /** Override `server.port` / `server.host` (CLI flags). */
  port?: number
  host?: string
  /** Where log lines go (default stdout). */
  logDestination?: DestinationStream
  /** Watch the config file and apply valid changes (default true). */
  watch?: boolean
  /** Replace parts of the routing state, clock, randomness or sleep (tests). */
  routing?: Partial<RoutingDeps>
}

export interface Gatehouse {
  readonly url: string
  readonly logger: Logger
  readonly routing: RoutingDeps
  /** The durable store (tests read it to check what was written). */
  readonly store: Store
  runtime(): Runtime
  /** Re-read the config file; a valid one replaces the running config, an invalid one is logged and ignored. */
  reload(): Promise<LoadResult>
  /** Stop accepting, let in-flight requests finish until `server.shutdown_timeout_ms`, then cut the rest. */
  close(): Promise<void>
}

export class ConfigError extends Error {
  constructor(readonly errors: string[]) {
    super(`invalid config:\n  ${errors.join('\n  ')}`)
    this.name = 'ConfigError'
  }
}

/** The composition root: config, providers, pipeline, HTTP server, watcher, shutdown. */
export async function startGatehouse(options: GatehouseOptions): Promise<Gatehouse> {
  const env = options.env ?? process.env
  const first = await loadConfigFile(options.configPath, env)
  if (!first.ok) throw new ConfigError(first.errors)
  const initial = first.config

  const logger = createLogger(first.config, options.logDestination)
  const storeUrl = initial.store.url.reveal()
  let store: Store
  try {
    store = await openStore(storeUrl)
  } catch (err) {
    throw new ConfigError([`store.url: cannot open ${redactStoreUrl(storeUrl)} (${(err as Error).message})`])
  }
  const recorder = new Recorder({ store, logger })
  const metricsRegistry = new Registry()
  const access = await createAccessServices({
    config: initial,
    current: () => runtime.config,
    store,
    logger,
    registry: metricsRegistry,
  })
  const registry = new ProviderRegistry()
  const base = { ...createRoutingDeps(initial.routing.latency_half_life_s), ...options.routing }
  const metrics = createMetrics({
    // Read at scrape time, after `runtime` exists.
    targets: () => Object.keys(runtime.config.models),
    breakers: base.breakers,
    stats: base.stats,
    recorder,
    registry: metricsRegistry,
  })
  const routing: RoutingDeps = { ...base, metrics }
  const tracing = await startTracingIfEnabled(initial, logger)
  // Loaded by the first config that turns data protection on, and kept for the reloads after it.
  let protection: ProtectionModule | undefined
  const services = async (config: ResolvedConfig) => {
    if (config.protect.enabled) protection ??= await loadProtection()
    return {
      routing,
      authenticators: access.authenticators,
      limiter: access.limiter,
      budgets: access.budgets,
      alerter: access.alerter,
      tenants: access.tenants,
      recorder: config.logging.request_log ? recorder : undefined,
      tracer: tracing?.tracer,
      protectSecret: access.protectSecret,
      protection,
    }
  }
  let runtime = createRuntime(
    first.config,
    registry.update(first.config.providers).providers,
    await services(first.config),
  )
  const sweeper = startRetentionSweeper({
    store,
    config: () => runtime.config,
    tenantRetention: () => tenantRetention(runtime.config, access.tenants),
    logger,
  })
  const retiredRuntimes = new Set<Runtime>()
  let fingerprint = await fileFingerprint(options.configPath)
  let draining = false
  const inFlight = new InFlightRequests()

  const app = buildApp({
    runtime: () => runtime,
    logger,
    bodyLimitBytes: Math.floor(first.config.server.body_limit_mb * 1024 * 1024),
    trustProxy: first.config.server.trust_proxy,
    isDraining: () => draining,
    isReady: async () => {
      await Promise.all([store.ping(), access.ping()])
    },
    keys: access.keys,
    tenants: access.tenants,
    budgets: access.budgets,
    store,
    flushLog: () => recorder.flush(),
    inFlight,
    routing,
    metrics: metrics.registry,
  })

  async function reload(): Promise<LoadResult> {
    const result = await loadConfigFile(options.configPath, env)
    if (!result.ok) {
      logger.error(
        { config: options.configPath, errors: result.errors },
        'config change rejected; the previous config keeps serving',
      )
      return result
    }
    const { config } = result
    const made = await services(config)
    const { providers, retired } = registry.update(config.providers)
    const retiring = runtime
    runtime = createRuntime(config, providers, made)
    // Requests still running on the old version may need its scan workers for a while.
    retiredRuntimes.add(retiring)
    setTimeout(() => {
      retiredRuntimes.delete(retiring)
      void retiring.close()
    }, 60_000).unref()
    routing.breakers.retain(Object.keys(config.models))
    routing.stats.halfLifeS = config.routing.latency_half_life_s
    logger.level = config.logging.level
    // A retired pool finishes the requests it is serving before it closes.
    for (const provider of retired) void provider.close()
    if (config.server.port !== initial.server.port || config.server.host !== initial.server.host) {
      logger.warn('server.host and server.port changes take effect at the next restart')
    }
    if (JSON.stringify(config.tracing) !== JSON.stringify(initial.tracing)) {
      logger.warn('tracing changes take effect at the next restart')
    }
    logger.info(
      { models: Object.keys(result.config.models).length, routes: Object.keys(result.config.routes).length },
      'config reloaded',
    )
    return result
  }

  const watcher =
    options.watch === false
      ? undefined
      : watchConfig(options.configPath, () => {
          void (async () => {
            // Editors touch files without changing them; reload only on a real change.
            const next = await fileFingerprint(options.configPath)
            if (next === undefined || next === fingerprint) return
            fingerprint = next
            await reload()
          })()
        })

  await app.listen({
    port: options.port ?? first.config.server.port,
    host: options.host ?? first.config.server.host,
  })
  const address = app.server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `http://${host}:${address.port}`
  logger.info(
    { url, config: options.configPath, models: runtime.models.map((m) => m.id) },
    'gatehouse listening',
  )

  let closing: Promise<void> | undefined
  async function close(): Promise<void> {
    closing ??= (async () => {
      draining = true
      watcher?.close()
      const deadlineMs = runtime.config.server.shutdown_timeout_ms
      logger.info(
        { in_flight: inFlight.size, deadline_ms: deadlineMs },
        'shutting down: draining in-flight requests',
      )
      const deadline = setTimeout(() => {
        logger.warn({ in_flight: inFlight.size }, 'shutdown deadline reached: cutting remaining requests')
        inFlight.abortAll(new Error('gateway shutting down'))
        app.server.closeAllConnections()
      }, deadlineMs)
      // Node closes idle keep-alive sockets once, when the server starts closing. A socket whose
      // response (a stream, say) ends later stays open, and close() would wait for the deadline.
      const idleSweep = setInterval(() => app.server.closeIdleConnections(), 100)
      try {
        await app.close()
      } finally {
        // A handler may still be between its answer's last byte and its end; the last answers'
        // bookkeeping (request log, spans, budgets) then runs on the next turn (`answerHandedOver`):
        // let both happen before what they write to is closed. Past the deadline the handlers
        // were cut and end at once; a second deadline bounds one that ignores its cut.
        await Promise.race([inFlight.idle(), sleep(deadlineMs + 1_000, undefined, { ref: false })])
        await new Promise((resolve) => setImmediate(resolve))
        clearTimeout(deadline)
        clearInterval(idleSweep)
        await registry.closeAll()
        await Promise.all([runtime, ...retiredRuntimes].map((r) => r.close()))
        sweeper.stop()
        await access.close()
        // Every request span has ended with its request: export them before the store goes.
        await tracing?.shutdown()
        // After the server: every request has recorded by now; write what is queued.
        await recorder.close()
        await store.close().catch((err: unknown) => logger.error({ err }, 'store close failed'))
        logger.info('shutdown complete')
        logger.flush()
      }
    })()
    return closing
  }

  return { url, logger, runtime: () => runtime, routing, store, reload, close }
}

/** Tenants with a retention of their own: config ones, then API-managed ones. */
function tenantRetention(config: ResolvedConfig, tenants: TenantDirectory): Map<string, number> {
  const days = new Map<string, number>()
  for (const t of tenants.list()) if (t.settings.retention_days) days.set(t.name, t.settings.retention_days)
  for (const [name, t] of Object.entries(config.tenants)) {
    if (t.retention_days) days.set(name, t.retention_days)
    else days.delete(name)
  }
  return days
}

/** The OpenTelemetry SDK is loaded only when tracing is on: off, it costs neither memory nor start time. */
async function startTracingIfEnabled(config: ResolvedConfig, logger: Logger): Promise<Tracing | undefined> {
  if (!config.tracing.enabled) return undefined
  const { startTracing } = await import('./observability/start-tracing.js')
  return startTracing({ config: config.tracing, logger, serviceVersion: packageVersion() })
}

/** Breakers, latency stats and the tokenizer live as long as the process, across config reloads. */
export function createRoutingDeps(latencyHalfLifeS: number): Omit<RoutingDeps, 'metrics'> {
  const now = () => performance.now()
  return {
    breakers: new BreakerRegistry(Date.now),
    stats: new TargetStats(now, latencyHalfLifeS),
    tokens: createTokenEstimator(),
    random: Math.random,
    now,
    sleep: (ms, signal) => sleep(ms, undefined, { signal: signal.toAbortSignal() }),
  }
}

function createLogger(config: ResolvedConfig, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logging.level,
      base: { service: 'gatehouse' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Defence in depth: request headers are never logged, but if one ever is, keys stay out.
      redact: {
        paths: ['req.headers.authorization', 'req.headers["x-api-key"]', '*.api_key', '*.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  )
}

async function fileFingerprint(path: string): Promise<string | undefined> {
  try {
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex')
  } catch {
    return undefined
  }
}
