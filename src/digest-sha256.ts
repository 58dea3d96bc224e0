import crypto from 'node:crypto'

type Encoding = 'hex' | 'base64' | 'base64url'

// `crypto.hash` (Node >= 20.12) digests in one call, about twice as fast as a Hash object for the
// short texts hashed on every request (a caller's key); older Node 20 releases lack it.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: Encoding) => string }).hash

/** The SHA-256 of a UTF-8 text, encoded. */
export function digestSha256(text: string, encoding: Encoding): string {
  return oneShot
    ? oneShot('sha256', text, encoding)
    : crypto.createHash('sha256').update(text).digest(encoding)
}
