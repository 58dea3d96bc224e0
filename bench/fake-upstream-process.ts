import type { AddressInfo } from 'node:net'
import { createFakeUpstream } from './fake-upstream.js'

/**
 * Entry point of the fake upstream's own process (spawned by run.ts, pinned to a core). Prints its
 * port once listening; exits when its parent closes stdin, so a crashed benchmark leaves no server.
 */
const server = createFakeUpstream()
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo
  process.stdout.write(`fake upstream listening on 127.0.0.1:${port}\n`)
})
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
process.once('SIGTERM', () => process.exit(0))
