/** Longer bearer values are refused before any decoding or hashing. */
export const MAX_JWT_CHARS = 16_384

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

/**
 * Whether a bearer value is shaped like a compact JWS (RFC 7515 §7.1): three base64url segments
 * whose first decodes to a JSON object with an `alg`. Virtual keys (`gth_<id>_<secret>`) have no
 * dots, so the authenticate stage can tell the two apart without trying both. This checks shape
 * only; the signature is the verifier's job.
 */
export function looksLikeJwt(token: string): boolean {
  if (token.length > MAX_JWT_CHARS || !COMPACT_JWS.test(token)) return false
  try {
    const header: unknown = JSON.parse(
      Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString(),
    )
    return (
      typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string'
    )
  } catch {
    return false
  }
}
