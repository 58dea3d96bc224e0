import { z } from 'zod'
import { accessSchemas, BODY_MODES, SENSITIVITY_LEVELS } from './access-schema.js'
import { protectSchema } from './protect-schema.js'
import { Secret, secretSchema } from './secret.js'

/**
 * The config file's shape. Every object is strict so a misspelt key is an error, not a silently
 * ignored setting. Defaults live here and nowhere else.
 */

const secret = secretSchema

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/, 'names use letters, digits and . _ : / @ - (max 128)')

export const TRUST_LEVELS = ['external', 'sovereign', 'onprem'] as const
export const PROVIDER_KINDS = [
  'openai',
  'openai-compatible',
  'simulated',
  'bedrock',
  'anthropic',
  'azure-openai',
  'mistral',
  'gemini',
] as const

/** Knobs of the `simulated` provider kind, for demos, load tests and failure drills. */
export const simulateSchema = z.strictObject({
  /** Delay before the response (or the first stream chunk). */
  latency_ms: z.number().int().min(0).max(600_000).optional(),
  /** Delay between stream chunks. */
  chunk_delay_ms: z.number().int().min(0).max(60_000).optional(),
  /** Characters per streamed content chunk. */
  chunk_chars: z.number().int().min(1).max(10_000).optional(),
  /** Answer every call with this HTTP status and an OpenAI-shaped error body. */
  fail_status: z.number().int().min(400).max(599).optional(),
  /** With `fail_status`: the `Retry-After` header, in seconds. */
  retry_after_s: z.number().int().min(0).max(86_400).optional(),
  /** Accept the call, then never answer (the caller's timeout must fire). */
  stall: z.boolean().optional(),
  /** Streams only: drop the connection after this many chunks. */
  cut_after_chunks: z.number().int().min(0).optional(),
  /** A fixed reply instead of the one derived from the prompt. */
  reply: z.string().optional(),
  /** Embedding vector length. */
  dimensions: z.number().int().min(1).max(8192).optional(),
})

const providerSchema = z.strictObject({
  kind: z.enum(PROVIDER_KINDS),
  base_url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  api_key: secret.optional(),
  /** Extra request headers, e.g. a gateway token in front of an on-prem server. */
  headers: z.record(z.string(), secret).optional(),
  /** OpenAI only: `OpenAI-Organization` and `OpenAI-Project` headers. */
  organization: z.string().optional(),
  project: z.string().optional(),
  /** Anthropic only: the `anthropic-version` header (default 2023-06-01). */
  anthropic_version: z.string().min(1).optional(),
  /** Azure OpenAI: the `api-version` query parameter, or `v1` for the versionless /openai/v1 API. */
  api_version: z
    .string()
    .regex(/^(v1|\d{4}-\d{2}-\d{2}(-preview)?)$/, 'expected v1 or a date like 2024-10-21 (-preview)')
    .optional(),
  /** Azure OpenAI: a Microsoft Entra ID bearer token, instead of `api_key`. */
  azure_ad_token: secret.optional(),
  /** Gemini on Vertex AI instead of the Gemini API (AI Studio). */
  vertex: z
    .strictObject({
      project: z.string().regex(/^[a-z][a-z0-9-]{4,61}[a-z0-9]$/, 'expected a Google Cloud project id'),
      location: z.string().regex(/^[a-z0-9-]+$/, 'expected a location such as europe-west4 or global'),
    })
    .optional(),
  /** Vertex AI: an OAuth access token (e.g. a service account's, from `gcloud auth print-access-token`). */
  access_token: secret.optional(),
  trust: z.enum(TRUST_LEVELS).optional(),
  /** Free text for data-residency policy; for bedrock, the AWS region (e.g. eu-central-1). */
  region: z.string().optional(),
  /** Bedrock: SigV4 credentials (an IAM user's or role's keys; the token for temporary ones). */
  aws_access_key_id: secret.optional(),
  aws_secret_access_key: secret.optional(),
  aws_session_token: secret.optional(),
  connect_timeout_ms: z.number().int().min(1).default(10_000),
  /** Streams: the first event must arrive within this. */
  ttfb_timeout_ms: z.number().int().min(1).optional(),
  /** Streams: the longest silence between two events. */
  idle_timeout_ms: z.number().int().min(1).optional(),
  /** One attempt's deadline, streams included. */
  timeout_ms: z.number().int().min(1).default(600_000),
  /** Ask for `stream_options.include_usage` upstream so every stream can be metered. */
  stream_usage: z.boolean().default(true),
  /** Upper bound on pooled keep-alive connections to this provider. */
  max_connections: z.number().int().min(1).max(10_000).default(256),
  simulate: simulateSchema.optional(),
})

const priceSchema = z.strictObject({
  input: z.number().min(0),
  output: z.number().min(0),
  cached_input: z.number().min(0).optional(),
})

const modelSchema = z.strictObject({
  provider: name,
  /** The provider's model id; defaults to this entry's name. */
  model: z.string().min(1).optional(),
  type: z.enum(['chat', 'embeddings']).default('chat'),
  /** USD per million tokens. */
  price: priceSchema.optional(),
  context_window: z.number().int().min(1).optional(),
  /** Request parameters this backend rejects: removed before the call. */
  drop_params: z.array(z.string().min(1)).default([]),
  /** Parameters added to each request unless the caller set them. */
  default_params: z.record(z.string(), z.unknown()).default({}),
  /** Parameters renamed on the way out, e.g. `max_tokens: max_completion_tokens`. */
  rename_params: z.record(z.string(), z.string().min(1)).default({}),
  simulate: simulateSchema.optional(),
})

export const SENSITIVITIES = SENSITIVITY_LEVELS
export const STRATEGIES = ['fallback', 'weighted', 'least-latency', 'least-busy', 'cheapest'] as const
/** Failures that are not retried but may still move on to the next target (see `fallback_on`). */
export const FALLBACK_FAILURES = [
  'bad_request',
  'auth',
  'not_found',
  'server',
  'context_length',
  'content_filter',
] as const

const retryFields = {
  /** Tries per target, the first included. */
  attempts: z.number().int().min(1).max(10),
  initial_backoff_ms: z.number().int().min(0),
  max_backoff_ms: z.number().int().min(0),
  /** A longer `Retry-After` than this moves on to the next target instead of waiting. */
  max_retry_after_s: z.number().min(0),
}
const retrySchema = z.strictObject({
  attempts: retryFields.attempts.default(2),
  initial_backoff_ms: retryFields.initial_backoff_ms.default(250),
  max_backoff_ms: retryFields.max_backoff_ms.default(8_000),
  max_retry_after_s: retryFields.max_retry_after_s.default(30),
})
/** A route's own retry settings: only what it changes, the rest comes from `routing.retry`. */
const retryOverrideSchema = z.strictObject(retryFields).partial()

const timeoutsSchema = z.strictObject({
  ttfb_ms: z.number().int().min(1).optional(),
  idle_ms: z.number().int().min(1).optional(),
  /** One attempt. */
  attempt_ms: z.number().int().min(1).optional(),
  /** The whole request: every attempt, backoff and fallback. */
  total_ms: z.number().int().min(1).optional(),
})

const breakerSchema = z.strictObject({
  enabled: z.boolean().default(true),
  failure_threshold: z.number().int().min(1).default(5),
  error_rate: z.number().gt(0).max(1).default(0.5),
  min_requests: z.number().int().min(1).default(20),
  window_s: z.number().positive().default(60),
  cooldown_s: z.number().positive().default(30),
})

const routeTargetSchema = z.union([
  name,
  z.strictObject({ target: name, weight: z.number().positive().default(1) }),
])

const routeSchema = z.strictObject({
  strategy: z.enum(STRATEGIES).default('fallback'),
  targets: z.array(routeTargetSchema).min(1, 'a route needs at least one target'),
  retry: retryOverrideSchema.optional(),
  timeouts: timeoutsSchema.optional(),
  fallback_on: z.array(z.enum(FALLBACK_FAILURES)).optional(),
  /** Skip targets whose estimated cost for a request is above this (USD). */
  max_cost_usd: z.number().positive().optional(),
  /** Output tokens assumed for a cost estimate when the caller sets no max_tokens. */
  typical_output_tokens: z.number().int().min(1).optional(),
})

const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])

const ruleSchema = z.strictObject({
  name: z.string().min(1),
  /** Every condition given must hold; a list means any of its values. */
  when: z
    .strictObject({
      model: oneOrMany.optional(),
      sensitivity: z.union([z.enum(SENSITIVITIES), z.array(z.enum(SENSITIVITIES)).min(1)]).optional(),
      min_sensitivity: z.enum(SENSITIVITIES).optional(),
      domain: oneOrMany.optional(),
      use_case: oneOrMany.optional(),
      tenant: oneOrMany.optional(),
      user: oneOrMany.optional(),
      latency: oneOrMany.optional(),
      input_tokens: z
        .strictObject({
          gt: z.number().min(0),
          gte: z.number().min(0),
          lt: z.number().min(0),
          lte: z.number().min(0),
        })
        .partial()
        .optional(),
      /** Caller metadata from `x-gatehouse-meta-<key>` headers. */
      metadata: z.record(z.string(), oneOrMany).optional(),
    })
    .default({}),
  route: name.optional(),
  model: name.optional(),
})

const routingSchema = z.strictObject({
  retry: retrySchema.prefault({}),
  timeouts: timeoutsSchema.prefault({}),
  breaker: breakerSchema.prefault({}),
  fallback_on: z.array(z.enum(FALLBACK_FAILURES)).default(['auth', 'not_found', 'server', 'context_length']),
  typical_output_tokens: z.number().int().min(1).default(256),
  /** Put the decision trace in `x-gatehouse-route-trace` on every response (debugging). */
  trace_header: z.boolean().default(false),
  /** How fast old latency samples fade for `least-latency`. */
  latency_half_life_s: z.number().positive().default(30),
})

const storeSchema = z.strictObject({
  /** `sqlite:<path>` (embedded, the default) or `postgres://user:pass@host:5432/db[?schema=name]`. */
  url: secret.default(new Secret('sqlite:.gatehouse/gatehouse.db')),
})

const adminSchema = z.strictObject({
  /** A bootstrap key with the `admin` role for `/admin/*` and the CLI; keys with roles add more. */
  api_key: secret.optional(),
})

const serverSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(8787),
  body_limit_mb: z.number().positive().max(1024).default(10),
  /** On SIGTERM/SIGINT, how long in-flight requests and streams may take to finish. */
  shutdown_timeout_ms: z.number().int().min(0).default(30_000),
  /** Behind a load balancer: trust `X-Forwarded-*` from it. */
  trust_proxy: z.boolean().default(false),
})

const loggingSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Record every request in the store's request_logs table (off the request path, batched). The
   * SQLite writer runs on the event loop: under saturating load it adds p99 spikes and ~35 MB RSS.
   */
  request_log: z.boolean().default(true),
  /** Request-log records older than this are deleted (a tenant's `retention_days` overrides it). */
  retention_days: z.number().positive().max(36_500).default(30),
  /** How often the retention sweeper runs. */
  retention_sweep_s: z.number().positive().default(3_600),
  /**
   * What is kept of prompts and answers in the request log (a tenant's `bodies` overrides it):
   * `none`; `metadata` (message count, roles, sizes, tool names); `redacted` (metadata, and the
   * text once redaction has removed personal data and secrets); `full` (the text, encrypted).
   */
  bodies: z.enum(BODY_MODES).default('redacted'),
  /** AES-256-GCM keys for stored bodies; the first seals, all open (rotation). */
  body_keys: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ and - (max 32)'),
        key: secret,
      }),
    )
    .default([]),
})

/** OpenTelemetry traces over OTLP/HTTP (protobuf). Read at start: changes apply at the next restart. */
const tracingSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** The collector's full traces URL (an OpenTelemetry Collector, Jaeger, Tempo...). */
  otlp_endpoint: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://127.0.0.1:4318/v1/traces' })
    .default('http://127.0.0.1:4318/v1/traces'),
  /** Sent with every export, e.g. a collector's API key. */
  headers: z.record(z.string().min(1), secret).default({}),
  service_name: z.string().min(1).default('gatehouse'),
  /** Share of new traces kept; a caller's sampled flag decides for traces it started. */
  sample_ratio: z
    .number()
    .min(0, 'expected a ratio from 0 to 1')
    .max(1, 'expected a ratio from 0 to 1')
    .default(1),
  export_timeout_ms: z.number().int().min(1).max(120_000).default(10_000),
  /** Put prompts and answers on attempt spans (`gen_ai.input.messages`...): off unless allowed. */
  capture_content: z.boolean().default(false),
})

export const configSchema = z.strictObject({
  server: serverSchema.prefault({}),
  logging: loggingSchema.prefault({}),
  tracing: tracingSchema.prefault({}),
  providers: z.record(name, providerSchema).default({}),
  models: z.record(name, modelSchema).default({}),
  routes: z.record(name, routeSchema).default({}),
  rules: z.array(ruleSchema).default([]),
  routing: routingSchema.prefault({}),
  admin: adminSchema.prefault({}),
  store: storeSchema.prefault({}),
  protect: protectSchema.prefault({}),
  ...accessSchemas,
})

export type Config = z.infer<typeof configSchema>
export type ProviderConfig = z.infer<typeof providerSchema>
export type ModelConfig = z.infer<typeof modelSchema>
export type RouteConfig = z.infer<typeof routeSchema>
export type SimulateConfig = z.infer<typeof simulateSchema>
export type TrustLevel = (typeof TRUST_LEVELS)[number]
export type Sensitivity = (typeof SENSITIVITIES)[number]
export type Strategy = (typeof STRATEGIES)[number]
export type FallbackFailure = (typeof FALLBACK_FAILURES)[number]
export type RetryConfig = z.infer<typeof retrySchema>
export type TimeoutsConfig = z.infer<typeof timeoutsSchema>
export type BreakerConfig = z.infer<typeof breakerSchema>
export type RuleConfig = z.infer<typeof ruleSchema>
export type RoutingConfig = z.infer<typeof routingSchema>
export type TracingConfig = z.infer<typeof tracingSchema>
