import { createParser, type EventSourceMessage } from 'eventsource-parser'

export type { EventSourceMessage }

/**
 * Server-sent events from a byte stream, however the bytes were split across reads (the parser
 * buffers partial lines; the decoder buffers partial UTF-8 sequences). An event not terminated by
 * a blank line when the stream ends is incomplete and dropped, as the SSE spec says.
 */
export async function* readSse(
  source: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = []
  const parser = createParser({ onEvent: (event) => pending.push(event) })
  const decoder = new TextDecoder()
  for await (const chunk of source) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
    for (let i = 0; i < pending.length; i++) yield pending[i]!
    pending.length = 0
  }
  parser.feed(decoder.decode())
  for (const event of pending) yield event
}
