import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { Counter, type Registry } from 'prom-client'
import { type Alerter, createAlerter } from './alerts/alerter.js'
import { jwtAuthenticator } from './auth/jwt-authenticator.js'
import { KeyRing } from './auth/key-ring.js'
import { TenantDirectory } from './auth/tenant-directory.js'
import { createLocalLedger } from './budgets/budget-ledger.js'
import { Budgets } from './budgets/budgets.js'
import { createRedisLedger } from './budgets/redis-ledger.js'
import type { ResolvedConfig } from './config/load.js'
import { createFailoverLimiter } from './limits/failover-limiter.js'
import type { Limiter } from './limits/limiter.js'
import { createLocalLimiter } from './limits/local-limiter.js'
import { createRedisLimiter } from './limits/redis-limiter.js'
import type { Authenticator } from './pipeline/authenticate.js'
import type { Store } from './store/store.js'

export interface AccessServices {
  keys: KeyRing
  tenants: TenantDirectory
  authenticators: Authenticator[]
  limiter: Limiter
  budgets: Budgets
  alerter: Alerter
  /** Secret the per-tenant keys of `hash` redaction derive from (generated once into the store). */
  protectSecret: string
  /** Throws when Redis is configured and does not answer (for `/readyz`). */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface AccessOptions {
  config: ResolvedConfig
  /** The current config, for settings that follow reloads (alert webhooks). */
  current: () => ResolvedConfig
  store: Store
  logger: Logger
  registry: Registry
}

/**
 * Keys, limits, budgets and alerts, built once at start (they outlive config reloads). With
 * `redis:` configured, limits and budgets are shared by every replica through it; otherwise they
 * are this process's own. `redis:` changes take effect at the next restart.
 */
export async function createAccessServices(options: AccessOptions): Promise<AccessServices> {
  const { config, store, logger, registry } = options
  if (config.auth.mode === 'none') {
    logger.warn(
      'auth.mode is "none": every caller is accepted as tenant "%s". Use this for local development only.',
      config.auth.default_tenant,
    )
  }
  const hashSecret =
    config.auth.hash_secret?.reveal() ??
    (await store.initSetting('key_hash_secret', randomBytes(32).toString('base64url')))
  const keys = new KeyRing({ store, hashSecret })
  const protectSecret = await store.initSetting('protect_hash_secret', randomBytes(32).toString('base64url'))
  const tenants = new TenantDirectory(store)
  await Promise.all([keys.refresh(), tenants.refresh()])

  const redisErrors = new Counter({
    name: 'gatehouse_redis_errors_total',
    help: 'Failed Redis calls for shared limits and budgets (policy: limits.on_redis_error).',
    registers: [registry],
  })
  let lastRedisLogMs = 0
  const onRedisError = (err: unknown) => {
    redisErrors.inc()
    // One line per 10 s: an outage must not flood the log.
    if (Date.now() - lastRedisLogMs > 10_000) {
      lastRedisLogMs = Date.now()
      logger.warn(
        { err: (err as Error).message, policy: config.limits.on_redis_error },
        'Redis unreachable for shared limits and budgets',
      )
    }
  }

  const redis = config.redis ? await connectRedis(config.redis, onRedisError) : undefined
  if (redis) {
    // Commands fail fast while disconnected, so wait for the first connection (briefly).
    const ready = await Promise.race([
      // Not events.once: it rejects on the first 'error', and connection errors are expected here.
      new Promise<boolean>((resolve) => redis.once('ready', () => resolve(true))),
      sleep(config.redis!.connect_timeout_ms).then(() => false),
    ])
    if (!ready) logger.warn('Redis is not reachable yet; limits.on_redis_error applies until it is')
  }
  const local = createLocalLimiter()
  const limiter = redis
    ? createFailoverLimiter({
        shared: createRedisLimiter(redis),
        local,
        policy: config.limits.on_redis_error,
        onError: onRedisError,
      })
    : local
  const alerter = createAlerter(() => options.current().alerts, {
    log: (alert) => logger.warn({ alert }, `alert: ${alert.event}`),
    onGiveUp: (url, alert) => logger.error({ url, event: alert.event }, 'alert webhook delivery gave up'),
  })
  const budgets = new Budgets({
    ledger: redis ? createRedisLedger(redis) : createLocalLedger(),
    store,
    alerter,
  })

  const tick = setInterval(() => {
    keys.refresh().catch((err: unknown) => logger.warn({ err }, 'key refresh failed'))
    tenants.refresh().catch((err: unknown) => logger.warn({ err }, 'tenant refresh failed'))
    budgets.flush().catch((err: unknown) => logger.warn({ err }, 'spend flush failed'))
  }, config.auth.refresh_s * 1000)
  tick.unref()

  return {
    keys,
    tenants,
    protectSecret,
    authenticators: [
      (token) => keys.authenticate(token),
      // Loaded only when configured: the JOSE library is not paid for by gateways that do not use it.
      ...(config.auth.jwt
        ? [
            jwtAuthenticator(
              await (await import('./auth/jwt-verifier.js')).createJwtVerifier(config.auth.jwt),
            ),
          ]
        : []),
    ],
    limiter,
    budgets,
    alerter,
    async ping() {
      if (redis) await redis.ping()
    },
    async close() {
      clearInterval(tick)
      await keys.refresh().catch((err: unknown) => logger.warn({ err }, 'last-used flush failed'))
      await budgets.flush().catch((err: unknown) => logger.error({ err }, 'spend flush failed'))
      // Webhook retries can take a while: wait a little, not for every backoff.
      await Promise.race([alerter.drain(), sleep(5_000)])
      await limiter.close()
      redis?.disconnect()
    },
  }
}

async function connectRedis(
  config: NonNullable<ResolvedConfig['redis']>,
  onError: (err: unknown) => void,
): Promise<Redis> {
  // Imported only with `redis:` configured: a single-node gateway does not load the client.
  const { Redis } = await import('ioredis')
  const redis = new Redis(config.url.reveal(), {
    keyPrefix: config.key_prefix,
    connectTimeout: config.connect_timeout_ms,
    commandTimeout: config.command_timeout_ms,
    // Fail fast while disconnected: the limiter policy decides, callers never queue behind Redis.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  })
  redis.on('error', onError)
  return redis
}
