import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { KeyRing } from '../../auth/key-ring.js'
import type { Principal } from '../../auth/principal.js'
import type { TenantDirectory } from '../../auth/tenant-directory.js'
import type { Budgets } from '../../budgets/budgets.js'
import { budgetSchema, limitSchema, ROLES, type Role } from '../../config/access-schema.js'
import { GatewayError } from '../../errors.js'
import type { RoutingDeps } from '../../routing/routing-deps.js'
import type { Runtime } from '../../runtime.js'
import type { KeyRecord, Store } from '../../store/store.js'
import { adminPrincipal } from '../admin-auth.js'
import { parseDuration } from '../parse-duration.js'
import { registerProtectRoutes } from './admin-protect.js'
import { registerTenantRoutes } from './admin-tenants.js'
import { registerLogRoutes } from './logs.js'

export interface AdminRouteDeps {
  runtime: () => Runtime
  routing: RoutingDeps
  keys: KeyRing
  tenants: TenantDirectory
  budgets: Budgets
  store: Store
  now: () => number
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles besides `admin` that may use an admin endpoint; absent: admin only. */
    roles?: readonly Role[]
  }
  interface FastifyRequest {
    principal?: Principal
  }
}

const createKeySchema = z.strictObject({
  name: z.string().min(1).max(128),
  tenant: z.string().min(1).max(64),
  role: z.enum(ROLES).default('user'),
  models: z.array(z.string().min(1)).optional(),
  limits: limitSchema.optional(),
  budget: budgetSchema.optional(),
  /** `30d`, `12h`... or an absolute `expires_at`. */
  expires_in: z.string().optional(),
  expires_at: z.iso.datetime({ offset: true }).optional(),
})

const rotateSchema = z.strictObject({
  /** How long the old secret keeps working; default 24h, `0s` for none. */
  grace_period: z.string().default('24h'),
})

/**
 * The admin plane. Every endpoint names the roles that may use it (besides `admin`, which may use
 * all); a key belonging to a tenant only sees and changes that tenant's keys and budgets.
 */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): void {
  app.register(
    async (admin) => {
      admin.addHook('onRequest', async function requireRole(request) {
        const roles = request.routeOptions.config.roles ?? []
        request.principal = await adminPrincipal(request.headers, deps.runtime(), roles)
      })

      /** Circuit breaker state per configured target. */
      admin.get('/breakers', { config: { roles: ['auditor'] } }, async function listBreakers() {
        const { models, routing } = deps.runtime().config
        const data = Object.keys(models).map((target) => ({
          target,
          ...deps.routing.breakers.get(target, routing.breaker).snapshot(),
          in_flight: deps.routing.stats.inFlight(target),
          latency_ms: round(deps.routing.stats.latencyMs(target)),
        }))
        return { object: 'list', data }
      })

      registerLogRoutes(admin, { store: deps.store, now: deps.now, cipher: () => deps.runtime().bodyCipher })

      admin.post('/keys', async function createKey(request, reply) {
        const input = parseBody(createKeySchema, request.body)
        const tenant = ownTenant(request, input.tenant)
        checkKeyScope(deps.runtime(), tenant, input.models)
        const expiresAt =
          input.expires_at !== undefined
            ? Date.parse(input.expires_at)
            : input.expires_in !== undefined
              ? Date.now() + durationMs(input.expires_in, 'expires_in')
              : undefined
        const { key, record } = await deps.keys.create({ ...input, tenant, expiresAt })
        reply.code(201)
        return { ...keyView(record), key }
      })

      admin.get('/keys', { config: { roles: ['auditor'] } }, async function listKeys(request) {
        const { tenant } = request.query as { tenant?: string }
        const scope = scopeTenant(request, tenant)
        return { object: 'list', data: (await deps.keys.list(scope)).map(keyView) }
      })

      admin.get('/keys/:id', { config: { roles: ['auditor'] } }, async function getKey(request) {
        return keyView(await ownKey(request, deps.keys))
      })

      admin.post('/keys/:id/revoke', async function revokeKey(request) {
        const key = await ownKey(request, deps.keys)
        return keyView((await deps.keys.revoke(key.id))!)
      })

      admin.post('/keys/:id/rotate', async function rotateKey(request) {
        const key = await ownKey(request, deps.keys)
        const { grace_period } = parseBody(rotateSchema, request.body ?? {})
        const rotated = await deps.keys.rotate(key.id, durationMs(grace_period, 'grace_period'))
        if (!rotated)
          throw new GatewayError('bad_request', `The key ${key.id} is revoked: it cannot be rotated.`)
        return { ...keyView(rotated.record), key: rotated.key }
      })

      registerTenantRoutes(admin, deps)
      registerProtectRoutes(admin, deps.runtime)
    },
    { prefix: '/admin' },
  )
}

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {})
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const path = issue.path.join('.')
  throw new GatewayError('bad_request', `${path === '' ? 'body' : path}: ${issue.message}`, {
    param: path === '' ? null : path,
  })
}

function durationMs(text: string, param: string): number {
  const ms = parseDuration(text)
  if (ms === undefined)
    throw new GatewayError('bad_request', `${param}: expected a duration such as 30d, 12h, 15m or 0s`, {
      param,
    })
  return ms
}

/** A tenant key may act on its own tenant only; the bootstrap admin on any. */
export function ownTenant(request: FastifyRequest, tenant: string): string {
  const principal = request.principal!
  if (principal.tenant !== '*' && principal.tenant !== tenant) {
    throw new GatewayError(
      'forbidden',
      `The key '${principal.keyName}' may only manage tenant ${principal.tenant}.`,
    )
  }
  return tenant
}

export function scopeTenant(request: FastifyRequest, asked: string | undefined): string | undefined {
  const { tenant } = request.principal!
  return tenant === '*' ? asked : ownTenant(request, asked ?? tenant)
}

export function visible(request: FastifyRequest, tenant: string): boolean {
  const own = request.principal!.tenant
  return own === '*' || own === tenant
}

export async function ownKey(request: FastifyRequest, keys: KeyRing): Promise<KeyRecord> {
  const { id } = request.params as { id: string }
  const key = await keys.get(id)
  // Another tenant's key answers like a missing one: its existence is not theirs to know.
  if (!key || !visible(request, key.tenant)) throw new GatewayError('not_found', `No key with id ${id}.`)
  return key
}

/** The tenant must exist (or be the default tenant) and the key's models must be within it. */
function checkKeyScope(runtime: Runtime, tenant: string, models: readonly string[] | undefined): void {
  const { tenants, auth, models: known, routes } = runtime.config
  const config = runtime.tenant(tenant)
  if (!config && tenant !== auth.default_tenant) {
    const names = [...new Set([auth.default_tenant, ...Object.keys(tenants)])]
    throw new GatewayError('bad_request', `tenant: unknown tenant "${tenant}" (known: ${names.join(', ')})`, {
      param: 'tenant',
    })
  }
  for (const model of models ?? []) {
    if (!(model in known) && !(model in routes))
      throw new GatewayError('bad_request', `models: unknown model or route "${model}"`, { param: 'models' })
    if (config?.models && !config.models.includes(model))
      throw new GatewayError('bad_request', `models: "${model}" is not allowed for tenant ${tenant}`, {
        param: 'models',
      })
  }
}

/** A key as listed: never its hash, never its secret. */
function keyView(k: KeyRecord) {
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString())
  return {
    object: 'key',
    id: k.id,
    name: k.name,
    tenant: k.tenant,
    role: k.role,
    prefix: k.prefix,
    models: k.models ?? null,
    limits: k.limits ?? null,
    budget: k.budget ?? null,
    created_at: iso(k.createdAt),
    expires_at: iso(k.expiresAt),
    revoked_at: iso(k.revokedAt),
    last_used_at: iso(k.lastUsedAt),
    previous_valid_until: iso(k.previousValidUntil),
  }
}

function round(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.round(ms * 10) / 10
}
