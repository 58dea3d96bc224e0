import { EventStreamCodec } from '@smithy/core/event-streams'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { UpstreamError } from '../../errors.js'
import { readEventStream } from './event-stream.js'

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
)

function frame(eventType: string, payload: string): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: new TextEncoder().encode(payload),
  })
}

async function* pieces(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  const points = [...new Set([0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length])].sort(
    (a, b) => a - b,
  )
  for (let i = 0; i + 1 < points.length; i++) yield bytes.slice(points[i], points[i + 1])
}

async function collect(source: AsyncIterable<Uint8Array>) {
  const out: Array<{ type: string | undefined; payload: string }> = []
  for await (const message of readEventStream(source)) {
    out.push({ type: message.headers[':event-type'], payload: new TextDecoder().decode(message.body) })
  }
  return out
}

function joined(frames: Uint8Array[]): Uint8Array {
  return Uint8Array.from(frames.flatMap((f) => [...f]))
}

describe('readEventStream', () => {
  it('decodes frames split at any byte positions, headers and UTF-8 payloads intact', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('messageStart', 'contentBlockDelta', 'metadata'), fc.string()), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(fc.nat(), { maxLength: 40 }),
        async (events, rawCuts) => {
          const bytes = joined(events.map(([type, text]) => frame(type, JSON.stringify({ text }))))
          const cuts = rawCuts.map((c) => c % (bytes.length + 1))
          const got = await collect(pieces(bytes, cuts))
          expect(got).toEqual(events.map(([type, text]) => ({ type, payload: JSON.stringify({ text }) })))
        },
      ),
      { numRuns: 200 },
    )
  })

  it('decodes a frame delivered one byte at a time', async () => {
    const bytes = joined([
      frame('contentBlockDelta', '{"delta":{"text":"héllo ✓"}}'),
      frame('metadata', '{}'),
    ])
    const cuts = Array.from({ length: bytes.length }, (_, i) => i)
    expect(await collect(pieces(bytes, cuts))).toEqual([
      { type: 'contentBlockDelta', payload: '{"delta":{"text":"héllo ✓"}}' },
      { type: 'metadata', payload: '{}' },
    ])
  })

  it('rejects a frame whose message CRC does not match', async () => {
    const bytes = frame('contentBlockDelta', '{"delta":{"text":"hello"}}')
    bytes[bytes.length - 8]! ^= 0x01 // a payload byte flipped in transit
    const err = await collect(pieces(bytes, [5])).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UpstreamError)
    expect((err as UpstreamError).failure).toBe('invalid_response')
    expect((err as UpstreamError).message).toMatch(/checksum/i)
  })

  it('rejects a frame whose prelude CRC does not match', async () => {
    const bytes = frame('metadata', '{}')
    bytes[9]! ^= 0xff
    const err = await collect(pieces(bytes, [])).catch((e: unknown) => e)
    expect((err as UpstreamError).failure).toBe('invalid_response')
  })

  it('rejects an absurd frame length without allocating it', async () => {
    const bytes = new Uint8Array(16)
    new DataView(bytes.buffer).setUint32(0, 0xfffffff0, false)
    const err = await collect(pieces(bytes, [])).catch((e: unknown) => e)
    expect((err as UpstreamError).failure).toBe('invalid_response')
  })

  it('reports a stream that ends inside a frame as cut', async () => {
    const whole = joined([frame('messageStart', '{"role":"assistant"}'), frame('metadata', '{}')])
    const bytes = whole.slice(0, whole.length - 3)
    const got: string[] = []
    const err = await (async () => {
      for await (const m of readEventStream(pieces(bytes, [7, 40]))) got.push(m.headers[':event-type']!)
    })().catch((e: unknown) => e)
    expect(got).toEqual(['messageStart'])
    expect((err as UpstreamError).failure).toBe('stream_cut')
  })
})
