import type { Attempt } from '../pipeline/context.js'

/**
 * Why a request went where it went: the rule that matched, the targets considered and why each
 * was skipped, every attempt, the target that answered. Logged by record; returned in
 * `x-gatehouse-route-trace` when debugging is on or the caller holds the admin key.
 */
export interface RouteTrace {
  requested: string
  rule?: string
  /** The route or model used after rules. */
  resolved: string
  strategy?: string
  inputTokens?: number
  candidates: Array<{ target: string; skipped?: string; costUsd?: number }>
  attempts: Attempt[]
  chosen?: string
}

/** As a header value: JSON with every non-ASCII character escaped (header values are Latin-1). */
export function traceHeader(trace: RouteTrace): string {
  return JSON.stringify(trace).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}
