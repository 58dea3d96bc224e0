import { once } from 'node:events'
import type { IncomingMessage, Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/**
 * What every fake provider needs of its `node:http` server: listening on a free port of
 * 127.0.0.1, counting client connections (keep-alive pooling keeps the count low), and closing
 * with its open sockets destroyed, so a stalled answer never holds a test up.
 */
export interface ListeningFake {
  port: number
  /** Distinct client sockets seen so far. */
  connections(): number
  close(): Promise<void>
}

export async function listenFake(server: Server): Promise<ListeningFake> {
  const sockets = new Set<Socket>()
  let connections = 0
  server.on('connection', (socket) => {
    connections++
    sockets.add(socket)
    // Written pieces leave as separate segments: tests split streams on purpose.
    socket.setNoDelay(true)
    socket.on('close', () => sockets.delete(socket))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    async close() {
      for (const socket of sockets) socket.destroy()
      server.close()
      await once(server, 'close').catch(() => {})
    },
  }
}

/** A request's whole body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const part of req) parts.push(part as Buffer)
  return Buffer.concat(parts)
}

/**
 * `bytes` cut at the given offsets, or at random ones (about one cut per `meanGap` bytes), so a
 * client meets every framing a network can produce: a frame, an event or a UTF-8 character split
 * anywhere.
 */
export function cutBytes(bytes: Buffer, how: 'random' | number[], meanGap: number): Buffer[] {
  const cuts =
    how === 'random'
      ? Array.from({ length: Math.max(1, Math.floor(bytes.length / meanGap)) }, () =>
          Math.floor(Math.random() * bytes.length),
        )
      : how
  const points = [...new Set([0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length])].sort(
    (a, b) => a - b,
  )
  return points.slice(1).map((end, i) => bytes.subarray(points[i], end))
}
