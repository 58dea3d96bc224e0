import { z } from 'zod'
import { Secret } from './secret.js'

/**
 * The config file's shape. Every object is strict so a misspelt key is an error, not a silently
 * ignored setting. Defaults live here and nowhere else.
 */

const secret = z
  .string()
  .min(1, 'must not be empty')
  .transform((value) => new Secret(value))

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/, 'names use letters, digits and . _ : / @ - (max 128)')

export const TRUST_LEVELS = ['external', 'sovereign', 'onprem'] as const
export const PROVIDER_KINDS = ['openai', 'openai-compatible', 'simulated'] as const

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
  trust: z.enum(TRUST_LEVELS).optional(),
  region: z.string().optional(),
  connect_timeout_ms: z.number().int().min(1).default(10_000),
  /** Whole-call deadline, streams included. */
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

const routeSchema = z.strictObject({
  strategy: z.enum(['fallback']).default('fallback'),
  targets: z.array(name).min(1, 'a route needs at least one target'),
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
})

export const configSchema = z.strictObject({
  server: serverSchema.prefault({}),
  logging: loggingSchema.prefault({}),
  providers: z.record(name, providerSchema).default({}),
  models: z.record(name, modelSchema).default({}),
  routes: z.record(name, routeSchema).default({}),
})

export type Config = z.infer<typeof configSchema>
export type ProviderConfig = z.infer<typeof providerSchema>
export type ModelConfig = z.infer<typeof modelSchema>
export type RouteConfig = z.infer<typeof routeSchema>
export type SimulateConfig = z.infer<typeof simulateSchema>
export type TrustLevel = (typeof TRUST_LEVELS)[number]
