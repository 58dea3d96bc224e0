/**
 * Why a bearer JWT was refused. Stable codes for logs, metrics and tests; the authenticate stage
 * maps them to 401 (and `jwks_unavailable` to 503: the caller did nothing wrong).
 */
export type JwtErrorReason =
  | 'malformed'
  | 'algorithm'
  | 'unknown_key'
  | 'invalid_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'issuer'
  | 'audience'
  | 'claim_missing'
  | 'claim_invalid'
  | 'jwks_unavailable'

/** A refused JWT. The message is safe to return to the caller: it never contains the token. */
export class JwtError extends Error {
  override readonly name = 'JwtError'
  readonly reason: JwtErrorReason

  constructor(reason: JwtErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.reason = reason
  }
}
