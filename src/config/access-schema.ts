import { z } from 'zod'
import { jwtSchema } from '../auth/jwt-schema.js'
import { secretSchema } from './secret.js'

/**
 * Who may call, what they may use, how fast and how much: auth, tenants, config-declared keys,
 * rate limits, budgets, alerts and the runaway-loop guard. Shared with `schema.ts`.
 */

export const SENSITIVITY_LEVELS = ['public', 'internal', 'confidential', 'restricted'] as const

export const BODY_MODES = ['none', 'metadata', 'redacted', 'full'] as const

/** `user` calls models; the other roles reach the admin plane (`admin` both). */
export const ROLES = ['user', 'admin', 'auditor', 'finops'] as const

const secret = secretSchema

const tenantName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'tenant names use letters, digits and . _ - (max 64)')

/** Requests per minute, tokens per minute and requests in flight; each optional. */
export const limitSchema = z.strictObject({
  rpm: z.number().int().min(1).optional(),
  /** Input tokens are estimated before the call and reconciled with the reported usage after. */
  tpm: z.number().int().min(1).optional(),
  concurrency: z.number().int().min(1).optional(),
})

export const budgetSchema = z.strictObject({
  daily_usd: z.number().positive().optional(),
  monthly_usd: z.number().positive().optional(),
  /** Fractions of a budget at which an alert fires, once per period each. */
  alert_at: z.array(z.number().gt(0).max(1)).default([0.5, 0.8, 1]),
  /** Refuse a call whose estimated cost no longer fits (429 budget_exceeded); false: alerts only. */
  hard: z.boolean().default(true),
})

export const tenantSchema = z.strictObject({
  /** Models and routes this tenant's keys may ask for; absent: all. */
  models: z.array(z.string().min(1)).optional(),
  /** `x-gatehouse-use-case` values allowed; absent: any. */
  use_cases: z.array(z.string().min(1)).optional(),
  /** Shared by all the tenant's keys. */
  limits: limitSchema.optional(),
  /** Applied to each key of the tenant that sets none of its own. */
  key_limits: limitSchema.optional(),
  budget: budgetSchema.optional(),
  /** What the request log keeps of this tenant's prompts and answers (default `logging.bodies`). */
  bodies: z.enum(BODY_MODES).optional(),
  /** Days this tenant's request-log records are kept (default `logging.retention_days`). */
  retention_days: z.number().positive().max(36_500).optional(),
  /** Data protection: every request is at least this sensitive... */
  sensitivity_floor: z.enum(SENSITIVITY_LEVELS).optional(),
  /** ...and none above this is accepted. */
  max_sensitivity: z.enum(SENSITIVITY_LEVELS).optional(),
  /** Guardrail actions for this tenant: `injection`, `indirect_injection`, a deny rule's name, `output.secrets`... */
  guardrails: z.record(z.string().min(1), z.enum(['block', 'flag', 'log', 'off'])).optional(),
})

/** A key declared in config (GitOps): the key itself from the environment, or its SHA-256. */
const configKeySchema = z.strictObject({
  name: z.string().min(1).max(128),
  tenant: tenantName,
  /** e.g. `${CI_BOT_KEY}`. */
  key: secret.optional(),
  /** `sha256:<64 hex>` of the key, so the repository never holds it. */
  sha256: z
    .string()
    .regex(
      /^sha256:[0-9a-f]{64}$/,
      'expected sha256:<64 lower-case hex digits> (printf %s "$KEY" | sha256sum)',
    )
    .optional(),
  role: z.enum(ROLES).default('user'),
  models: z.array(z.string().min(1)).optional(),
  limits: limitSchema.optional(),
  budget: budgetSchema.optional(),
  /** ISO date or date-time after which the key is refused. */
  expires_at: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
})

export const authSchema = z.strictObject({
  /**
   * `keys`: every data-plane call needs a virtual key (or a JWT when `jwt` is set). `none`: local
   * development only, every call is the `default_tenant`; a warning is logged at every start.
   */
  mode: z.enum(['keys', 'none']).default('keys'),
  /** HMAC key for stored key hashes; unset, one is generated once and kept in the store. */
  hash_secret: secret.optional(),
  /** The tenant of calls in `mode: none`. */
  default_tenant: tenantName.default('default'),
  /** How often replicas pick up keys created or revoked elsewhere. */
  refresh_s: z.number().positive().max(3600).default(5),
  /** Also accept bearer JWTs from an OIDC identity provider (tenant and roles from claims). */
  jwt: jwtSchema.optional(),
})

const redisSchema = z.strictObject({
  /** `redis://[user:pass@]host:6379[/db]`. Turns on shared limits and budgets across replicas. */
  url: secret,
  /** Prefix of every key Gatehouse writes, so several deployments can share one Redis. */
  key_prefix: z.string().max(64).default('gatehouse:'),
  connect_timeout_ms: z.number().int().min(1).default(2_000),
  /** Per command; past it the call counts as Redis being unreachable. */
  command_timeout_ms: z.number().int().min(1).default(500),
})

export const limitsSchema = z.strictObject({
  /** Across every tenant and key. */
  global: limitSchema.optional(),
  /** Per model or route name asked for. */
  models: z.record(z.string().min(1), limitSchema).default({}),
  /** Redis unreachable: `open` falls back to this process's own counters; `closed` refuses (503). */
  on_redis_error: z.enum(['open', 'closed']).default('open'),
})

const webhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  /** Signs each delivery: `x-gatehouse-signature: t=<unix s>,v1=<hex HMAC-SHA256 of "t.body">`. */
  secret: secret.optional(),
})

const alertsSchema = z.strictObject({
  webhooks: z.array(webhookSchema).default([]),
  /** Deliveries per alert and webhook, with exponential backoff between them. */
  max_attempts: z.number().int().min(1).max(20).default(5),
  initial_backoff_ms: z.number().int().min(1).default(1_000),
})

export const loopGuardSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** The same key sending the same (or near-identical) prompt more than this per minute... */
  max_repeats: z.number().int().min(2).default(20),
  /** ...raises an alert, and with `block` refuses that prompt for `block_s` (429 loop_detected). */
  action: z.enum(['alert', 'block']).default('alert'),
  block_s: z.number().positive().default(300),
})

export const accessSchemas = {
  auth: authSchema.prefault({}),
  tenants: z.record(tenantName, tenantSchema).default({}),
  keys: z.array(configKeySchema).default([]),
  limits: limitsSchema.prefault({}),
  redis: redisSchema.optional(),
  alerts: alertsSchema.prefault({}),
  loop_guard: loopGuardSchema.prefault({}),
}

export type Role = (typeof ROLES)[number]
export type BodyMode = (typeof BODY_MODES)[number]
export type LimitConfig = z.infer<typeof limitSchema>
export type BudgetConfig = z.infer<typeof budgetSchema>
export type TenantConfig = z.infer<typeof tenantSchema>
export type ConfigKey = z.infer<typeof configKeySchema>
export type AuthConfig = z.infer<typeof authSchema>
export type RedisConfig = z.infer<typeof redisSchema>
export type LimitsConfig = z.infer<typeof limitsSchema>
export type AlertsConfig = z.infer<typeof alertsSchema>
export type LoopGuardConfig = z.infer<typeof loopGuardSchema>
