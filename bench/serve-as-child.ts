import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A benchmark child's server (spawned by run.ts, pinned to a core): listens on a free loopback
 * port, prints `<name> listening on 127.0.0.1:<port>` once it does, and exits when its parent
 * closes stdin or sends SIGTERM, so a crashed benchmark leaves no server behind.
 */
export function serveAsChild(server: Server, name: string): void {
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo
    process.stdout.write(`${name} listening on 127.0.0.1:${port}\n`)
  })
  process.stdin.on('end', () => process.exit(0))
  process.stdin.resume()
  process.once('SIGTERM', () => process.exit(0))
}
