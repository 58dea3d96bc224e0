import { createBareProxy } from './bare-proxy.js'
import { serveAsChild } from './serve-as-child.js'

/** Entry point of the bare proxy's own process, on the gateway's core: `bare-proxy-process.js UPSTREAM_ORIGIN [WORK_US]`. */
const [upstreamOrigin, workUs = '0'] = process.argv.slice(2)
if (!upstreamOrigin || !/^\d+$/.test(workUs)) {
  process.stderr.write('usage: bare-proxy-process.js UPSTREAM_ORIGIN [WORK_US]\n')
  process.exit(2)
}
serveAsChild(createBareProxy(upstreamOrigin, Number(workUs)), 'bare proxy')
