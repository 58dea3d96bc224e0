import type { AddressInfo } from 'node:net'
import { createBareProxy } from './bare-proxy.js'

/**
 * Entry point of the bare proxy's own process (spawned by run.ts on the gateway's core). Prints
 * its port once listening; exits when its parent closes stdin.
 */
const upstreamOrigin = process.argv[2]
if (!upstreamOrigin) {
  process.stderr.write('usage: bare-proxy-process.js UPSTREAM_ORIGIN\n')
  process.exit(2)
}
const server = createBareProxy(upstreamOrigin)
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo
  process.stdout.write(`bare proxy listening on 127.0.0.1:${port}\n`)
})
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
process.once('SIGTERM', () => process.exit(0))
