/**
 * An `application/vnd.amazon.eventstream` encoder for the fake Bedrock, written from the wire
 * format (https://docs.aws.amazon.com/transcribe/latest/dg/streaming-setting-up.html#streaming-event-stream):
 * prelude (total length, headers length: uint32 big-endian), prelude CRC32, headers (name length
 * u8, name, type 7 = string, value length u16, value), payload, message CRC32 over all before it.
 * Independent of the smithy codec the gateway decodes with, so a shared bug cannot hide.
 */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

/** CRC-32 (IEEE 802.3, the zlib one). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

export function encodeFrame(headers: Record<string, string>, payload: Uint8Array | string): Buffer {
  const headerBytes = Buffer.concat(
    Object.entries(headers).map(([name, value]) => {
      const n = Buffer.from(name, 'utf8')
      const v = Buffer.from(value, 'utf8')
      const out = Buffer.alloc(1 + n.length + 1 + 2 + v.length)
      out.writeUInt8(n.length, 0)
      n.copy(out, 1)
      out.writeUInt8(7, 1 + n.length)
      out.writeUInt16BE(v.length, 2 + n.length)
      v.copy(out, 4 + n.length)
      return out
    }),
  )
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload)
  const total = 12 + headerBytes.length + body.length + 4
  const frame = Buffer.alloc(total)
  frame.writeUInt32BE(total, 0)
  frame.writeUInt32BE(headerBytes.length, 4)
  frame.writeUInt32BE(crc32(frame.subarray(0, 8)), 8)
  headerBytes.copy(frame, 12)
  body.copy(frame, 12 + headerBytes.length)
  frame.writeUInt32BE(crc32(frame.subarray(0, total - 4)), total - 4)
  return frame
}

/** A ConverseStream event: `:event-type` names it, the payload is its JSON member. */
export function eventFrame(eventType: string, payload: unknown): Buffer {
  // Bedrock pads events with a random-length `p` field so sizes do not reveal content.
  const padded = {
    ...(payload as object),
    p: 'abcdefghijklmnopqrstuvwxyzABCDEF'.slice(0, (eventType.length * 7) % 32),
  }
  return encodeFrame(
    { ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' },
    JSON.stringify(padded),
  )
}

/** A modeled exception inside the stream, e.g. `throttlingException`. */
export function exceptionFrame(exceptionType: string, message: string): Buffer {
  return encodeFrame(
    { ':exception-type': exceptionType, ':content-type': 'application/json', ':message-type': 'exception' },
    JSON.stringify({ message }),
  )
}
