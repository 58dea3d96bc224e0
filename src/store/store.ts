/**
 * Durable state behind one interface with two implementations: SQLite (embedded, the default)
 * and PostgreSQL (shared by replicas). The same test suite runs against both
 * (test/store/store.test.ts). Request logs come first; keys, audit and prompts follow.
 */
import type { AccessStore } from './access-sql.js'
import type { FeedbackStore } from './feedback-sql.js'
import type { UsageStore } from './usage-sql.js'

export type { AccessStore, KeyPatch, KeyRecord, SpendDelta, TenantRecord } from './access-sql.js'
export type { FeedbackRecord, FeedbackStore } from './feedback-sql.js'
export type { UsageGroup, UsageInterval, UsageQuery, UsageRow, UsageStore } from './usage-sql.js'

export interface Store extends AccessStore, FeedbackStore, UsageStore {
  readonly kind: 'sqlite' | 'postgres'
  /** Cheap round trip, for `/readyz`. */
  ping(): Promise<void>
  /** Write many records in one transaction (the recorder batches them). */
  insertRequestLogs(records: readonly RequestLogRecord[]): Promise<void>
  /**
   * Delete up to `limit` records older than `before` (epoch ms), of one tenant, or of every tenant
   * but `exceptTenants` (records without a tenant included), and as much of their feedback.
   * Returns how many rows were deleted.
   */
  deleteRequestLogs(query: RetentionQuery): Promise<number>
  /** Newest first, filtered, with an opaque cursor for the next page. */
  queryRequestLogs(query: RequestLogQuery): Promise<RequestLogPage>
  close(): Promise<void>
}

/** One request, as recorded. Bodies are added by the logging work, encrypted. */
export interface RequestLogRecord {
  requestId: string
  /** The W3C trace id when tracing is on (the caller's, when it sent a traceparent). */
  traceId?: string | undefined
  /** Unix epoch milliseconds. */
  ts: number
  tenant?: string | undefined
  keyId?: string | undefined
  user?: string | undefined
  useCase?: string | undefined
  operation: string
  modelRequested: string
  route?: string | undefined
  provider?: string | undefined
  modelServed?: string | undefined
  /** The model string the provider answered with (`gpt-4o-mini-2024-07-18` for `gpt-4o-mini`). */
  modelVersion?: string | undefined
  status: number
  errorKind?: string | undefined
  attempts: number
  /** The routing decision trace and attempts, as recorded by the record stage. */
  trace?: unknown
  sensitivity?: string | undefined
  /** Entity type → values masked, hashed or pseudonymized before the provider saw them; never values. */
  redactions?: Record<string, number> | undefined
  /** Guardrail verdicts: rule, source, action, score and signal ids; never the matched text. */
  guardrails?:
    | ReadonlyArray<{ rule: string; source: string; action: string; score?: number; signals?: string[] }>
    | undefined
  inputTokens?: number | undefined
  outputTokens?: number | undefined
  costUsd?: number | undefined
  latencyMs: number
  ttftMs?: number | undefined
  /** Time spent waiting on providers, every attempt summed (the rest is the gateway's and backoff). */
  upstreamMs?: number | undefined
  /** `x-gatehouse-prompt`: the registered prompt name/version the caller used. */
  prompt?: string | undefined
  /** `x-gatehouse-context-sources`: ids of the documents retrieved into the prompt. */
  contextSources?: string[] | undefined
  /** What the bodies looked like (message count, roles, sizes, tool names): never their text. */
  bodyMeta?: BodyMeta | undefined
  /** Prompt and answer, sealed with AES-256-GCM (`logging.bodies: full`). */
  bodies?: string | undefined
  /** The key that sealed `bodies`, so keys can rotate. */
  bodyKeyId?: string | undefined
}

export interface BodyMeta {
  messages: number
  roles: string[]
  promptChars: number
  answerChars: number
  tools?: string[] | undefined
}

export interface RetentionQuery {
  before: number
  tenant?: string | undefined
  exceptTenants?: readonly string[] | undefined
  limit: number
}

export interface RequestLogQuery {
  from?: number | undefined
  to?: number | undefined
  tenant?: string | undefined
  keyId?: string | undefined
  model?: string | undefined
  status?: number | undefined
  errorKind?: string | undefined
  requestId?: string | undefined
  /** 1..1000. */
  limit: number
  cursor?: string | undefined
}

export interface RequestLogPage {
  records: RequestLogRecord[]
  /** Present when more records match. */
  nextCursor?: string
}

/** A cursor is the (ts, requestId) of the last record of a page: stable under concurrent inserts. */
export function encodeCursor(record: RequestLogRecord): string {
  return Buffer.from(JSON.stringify([record.ts, record.requestId])).toString('base64url')
}

export function decodeCursor(cursor: string): { ts: number; requestId: string } {
  try {
    const [ts, requestId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
    ]
    if (typeof ts === 'number' && typeof requestId === 'string') return { ts, requestId }
  } catch {
    // fall through
  }
  throw new InvalidCursorError()
}

export class InvalidCursorError extends Error {
  constructor() {
    super('invalid cursor')
    this.name = 'InvalidCursorError'
  }
}
