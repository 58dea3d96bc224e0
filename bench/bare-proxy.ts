import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { Pool } from 'undici'

/**
 * The peer the gateway is measured against in the same run: the least an HTTP proxy for JSON APIs
 * written in Node.js does. It reads the request, parses it (a proxy must at least read the model),
 * sends it on over a keep-alive undici pool, and writes the answer back: parsed and re-serialized
 * when JSON, passed through chunk by chunk when a stream. No auth, no routing, no logging.
 *
 * What it adds over a direct call is what this machine charges for one more Node.js process and
 * one more loopback hop on the way (wake-ups, copies, event-loop turns); what the gateway adds
 * beyond it is the gateway's own work.
 */
export function createBareProxy(upstreamOrigin: string, workUs = 0): Server {
  const pool = new Pool(upstreamOrigin, { connections: 256, pipelining: 1 })
  const server = createServer((req, res) => {
    forward(pool, req, res, workUs).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { message: `bare proxy: ${(err as Error).message}` } }))
    })
  })
  server.keepAliveTimeout = 60_000
  server.on('close', () => void pool.close())
  return server
}

async function forward(pool: Pool, req: IncomingMessage, res: ServerResponse, workUs: number): Promise<void> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model?: unknown }
  if (typeof body.model !== 'string') throw new Error('no model')
  if (workUs > 0) burnCpu(workUs)
  const answer = await pool.request({
    path: req.url ?? '/',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const type = String(answer.headers['content-type'] ?? '')
  res.writeHead(answer.statusCode, { 'content-type': type })
  if (type.startsWith('text/event-stream')) {
    for await (const chunk of answer.body) res.write(chunk)
    res.end()
    return
  }
  res.end(JSON.stringify(JSON.parse(await answer.body.text())))
}

/**
 * BENCH_PEER_WORK_US: CPU burnt before the call goes upstream, as a gateway's checks burn it. Busy,
 * not a timer: what it shows is what this machine charges, in latency, for a hop that is busy
 * this long before it calls upstream (the cores around it have idled meanwhile).
 */
function burnCpu(us: number): void {
  const until = performance.now() + us / 1000
  while (performance.now() < until) {
    // spin
  }
}
