import type { EventStreamCodec, Message, MessageHeaders } from '@smithy/core/event-streams'
import { UpstreamError } from '../../errors.js'

/** One decoded message of an `application/vnd.amazon.eventstream` body, string headers only. */
export interface EventStreamMessage {
  headers: Record<string, string>
  body: Uint8Array
}

// A frame is prelude (total length, headers length, prelude CRC32: 12 bytes), headers, payload,
// message CRC32 (4 bytes). AWS caps a message at 16 MiB (payload) + 128 KiB (headers); anything
// larger is a corrupt length field, and allocating it would let a bad byte cost gigabytes.
// https://docs.aws.amazon.com/AmazonS3/latest/API/RESTSelectObjectAppendix.html
const PRELUDE_BYTES = 12
const MIN_MESSAGE_BYTES = 16
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024 + 128 * 1024 + MIN_MESSAGE_BYTES

const utf8Decoder = new TextDecoder()
const utf8Encoder = new TextEncoder()

/**
 * AWS event-stream messages from a byte stream, however the bytes were split across reads: a
 * frame is collected until its announced length has arrived, then decoded by smithy's codec,
 * which checks both CRC32s. A length out of range, a bad checksum or bytes left over at the end
 * make the stream invalid (`invalid_response`). The codec loads with the first stream read, so
 * a gateway that never reads one never loads it.
 */
export async function* readEventStream(
  source: AsyncIterable<Uint8Array>,
): AsyncGenerator<EventStreamMessage> {
  const { EventStreamCodec } = await import('@smithy/core/event-streams')
  const codec = new EventStreamCodec(
    (bytes) => utf8Decoder.decode(bytes),
    (text) => utf8Encoder.encode(text),
  )
  let pending: Uint8Array = new Uint8Array(0)
  for await (const chunk of source) {
    pending = pending.length === 0 ? chunk : concat(pending, chunk)
    let offset = 0
    while (pending.length - offset >= PRELUDE_BYTES) {
      const view = new DataView(pending.buffer, pending.byteOffset + offset, 4)
      const length = view.getUint32(0, false)
      if (length < MIN_MESSAGE_BYTES || length > MAX_MESSAGE_BYTES) {
        throw new UpstreamError('invalid_response', `event stream frame with an invalid length (${length})`)
      }
      if (pending.length - offset < length) break
      yield decode(codec, pending.subarray(offset, offset + length))
      offset += length
    }
    // Keep only the incomplete tail; copy it so the chunk it came from can be collected.
    pending = offset === 0 ? pending : pending.slice(offset)
  }
  if (pending.length > 0) {
    throw new UpstreamError('stream_cut', 'provider closed the stream in the middle of an event frame')
  }
}

function decode(codec: EventStreamCodec, frame: Uint8Array): EventStreamMessage {
  let message: Message
  try {
    message = codec.decode(frame)
  } catch (err) {
    // A checksum mismatch: bytes were corrupted on the way, nothing in the frame can be trusted.
    throw new UpstreamError('invalid_response', `event stream frame rejected: ${(err as Error).message}`)
  }
  return { headers: stringHeaders(message.headers), body: message.body }
}

function stringHeaders(headers: MessageHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, header] of Object.entries(headers)) {
    if (header.type === 'string') out[name] = header.value
  }
  return out
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}
