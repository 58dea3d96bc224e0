import { createBareProxy } from './bare-proxy.js'
import { serveAsChild } from './serve-as-child.js'

/** Entry point of the bare proxy's own process, on the gateway's core: `bare-proxy-process.js UPSTREAM_ORIGIN`. */
const upstreamOrigin = process.argv[2]
if (!upstreamOrigin) {
  process.stderr.write('usage: bare-proxy-process.js UPSTREAM_ORIGIN\n')
  process.exit(2)
}
serveAsChild(createBareProxy(upstreamOrigin), 'bare proxy')
