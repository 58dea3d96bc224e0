import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'

/**
 * The one place that writes server-sent events (https://html.spec.whatwg.org/#server-sent-events).
 * A field value with a line break would split the event, so `event` and `id` are rejected and
 * `data` is JSON (which escapes its newlines) or a literal such as `[DONE]`.
 */
export class SseWriter {
  readonly #res: ServerResponse

  constructor(res: ServerResponse) {
    this.#res = res
  }

  start(headers: OutgoingHttpHeaders): void {
    this.#res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      // nginx and similar proxies buffer responses unless told not to
      'x-accel-buffering': 'no',
    })
    this.#res.flushHeaders()
  }

  get isOpen(): boolean {
    return !this.#res.destroyed && !this.#res.writableEnded
  }

  /** Write one event; resolves when the socket can take more (backpressure). */
  async write(data: string, event?: string): Promise<void> {
    if (event !== undefined && /[\r\n]/.test(event))
      throw new Error('SSE event name must not contain a line break')
    if (/[\r\n]/.test(data)) throw new Error('SSE data must be a single line')
    if (!this.isOpen) return
    const frame = event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`
    if (!this.#res.write(frame)) await this.#drained()
  }

  /** End the stream; `trailers` (announced in a `trailer` header at start) follow the body. */
  end(trailers?: Record<string, string>): void {
    if (!this.isOpen) return
    if (trailers) this.#res.addTrailers(trailers)
    this.#res.end()
  }

  #drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#res.off('drain', done)
        this.#res.off('close', done)
        resolve()
      }
      this.#res.once('drain', done)
      this.#res.once('close', done)
    })
  }
}

/** A stream's cost is known only at its end: it follows the body as an HTTP trailer (RFC 9110 §6.5). */
export const COST_TRAILER = { trailer: 'x-gatehouse-cost-usd' } as const

export function costTrailer(usd: number | undefined): Record<string, string> | undefined {
  return usd === undefined ? undefined : { 'x-gatehouse-cost-usd': String(usd) }
}
