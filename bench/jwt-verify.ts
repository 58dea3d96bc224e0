import { exportSPKI, generateKeyPair, SignJWT } from 'jose'
import { jwtSchema } from '../src/auth/jwt-schema.js'
import { createJwtVerifier } from '../src/auth/jwt-verifier.js'

/**
 * Micro-bench of `createJwtVerifier`: a full verification (signature and claims) against the
 * cached path (hash, LRU hit). `npm run build && node dist/bench/jwt-verify.js`
 */
const WARMUP_MS = 300
const RUN_MS = 1500

async function opsPerSecond(label: string, run: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0, until = performance.now() + WARMUP_MS; performance.now() < until; i++) await run(i)
  let ops = 0
  const started = performance.now()
  while (performance.now() - started < RUN_MS) await run(ops++)
  const elapsedMs = performance.now() - started
  const opsPerS = Math.round((ops / elapsedMs) * 1000)
  console.log(
    `${label.padEnd(28)} ${String(opsPerS).padStart(9)} ops/s  ${((elapsedMs * 1000) / ops).toFixed(2)} µs/op`,
  )
}

for (const alg of ['RS256', 'ES256', 'EdDSA']) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const sign = (sub: string) =>
    new SignJWT({ tenant: 'acme', roles: ['user'] })
      .setProtectedHeader({ alg })
      .setSubject(sub)
      .setIssuer('https://idp.test')
      .setAudience('gatehouse')
      .setExpirationTime('1h')
      .sign(privateKey)
  const config = {
    static_keys: [await exportSPKI(publicKey)],
    issuer: 'https://idp.test',
    audience: 'gatehouse',
  }
  const cold = await createJwtVerifier(jwtSchema.parse({ ...config, verify_cache_s: 0 }))
  const cached = await createJwtVerifier(jwtSchema.parse(config))
  const token = await sign('alice')
  await opsPerSecond(`${alg} verify (no cache)`, () => cold.verify(token))
  await opsPerSecond(`${alg} verify (cached)`, () => cached.verify(token))
}
