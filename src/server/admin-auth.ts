import { timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { Secret } from '../config/secret.js'

/** The caller's key: `Authorization: Bearer <key>`, or `x-api-key` as Anthropic's SDK sends it. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim()
  const apiKey = headers['x-api-key']
  return typeof apiKey === 'string' ? apiKey : undefined
}

/** Constant-time comparison, so response timing does not reveal how much of a key matched. */
export function isKey(candidate: string | undefined, key: Secret): boolean {
  if (candidate === undefined) return false
  const a = Buffer.from(candidate)
  const b = Buffer.from(key.reveal())
  return a.length === b.length && timingSafeEqual(a, b)
}
