import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

/**
 * A local OTLP/HTTP trace receiver (what an OpenTelemetry Collector listens on at :4318): it
 * accepts `POST /v1/traces` as binary protobuf or JSON (https://opentelemetry.io/docs/specs/otlp/#otlphttp),
 * answers 200 with an empty ExportTraceServiceResponse, and keeps every span, flattened, with the
 * export's headers. The protobuf is read by a small wire-format reader written from
 * `opentelemetry/proto/trace/v1/trace.proto`, independently of the exporter's encoder.
 */

export interface ReceivedSpan {
  traceId: string
  spanId: string
  /** '' for a root span. */
  parentSpanId: string
  name: string
  kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer' | 'unspecified'
  attributes: Record<string, unknown>
  events: string[]
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number
  startNs: bigint
  endNs: bigint
  resource: Record<string, unknown>
  scope: string
}

export interface OtlpReceiver {
  /** The traces URL, `http://127.0.0.1:<port>/v1/traces`. */
  url: string
  spans: ReceivedSpan[]
  /** Headers of each export request. */
  exports: IncomingHttpHeaders[]
  close(): Promise<void>
}

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = []
  const exports: IncomingHttpHeaders[] = []
  const server = createServer(async (req, res) => {
    const parts: Buffer[] = []
    for await (const part of req) parts.push(part as Buffer)
    let body = Buffer.concat(parts)
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body)
    const type = req.headers['content-type'] ?? ''
    if (req.method !== 'POST' || req.url !== '/v1/traces' || !/protobuf|json/.test(type)) {
      res.writeHead(415, { 'content-type': 'text/plain' }).end('expected protobuf or JSON on /v1/traces')
      return
    }
    exports.push(req.headers)
    if (type.includes('json')) {
      spans.push(...decode(JSON.parse(body.toString('utf8'))))
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    } else {
      spans.push(...decodeProtobuf(body))
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end()
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    exports,
    async close() {
      server.closeAllConnections()
      server.close()
      await once(server, 'close').catch(() => {})
    },
  }
}

interface OtlpAttribute {
  key: string
  value: OtlpValue
}
type OtlpValue = {
  stringValue?: string
  intValue?: string | number
  doubleValue?: number
  boolValue?: boolean
  arrayValue?: { values?: OtlpValue[] }
}

function decode(doc: any): ReceivedSpan[] {
  const out: ReceivedSpan[] = []
  for (const rs of doc.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes)
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: KINDS[Number(s.kind ?? 0)] ?? 'unspecified',
          attributes: attributes(s.attributes),
          events: (s.events ?? []).map((e: { name: string }) => e.name),
          statusCode: Number(s.status?.code ?? 0),
          startNs: BigInt(s.startTimeUnixNano),
          endNs: BigInt(s.endTimeUnixNano),
          resource,
          scope: ss.scope?.name ?? '',
        })
      }
    }
  }
  return out
}

function attributes(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const { key, value } of list ?? []) out[key] = decodeValue(value)
  return out
}

function decodeValue(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue
  if (value.intValue !== undefined) return Number(value.intValue)
  if (value.doubleValue !== undefined) return value.doubleValue
  if (value.boolValue !== undefined) return value.boolValue
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(decodeValue)
  return undefined
}

/** One protobuf field: varints as bigint, fixed64/fixed32 and length-delimited as raw bytes. */
interface Field {
  no: number
  varint?: bigint
  bytes?: Buffer
}

/** The fields of one message (https://protobuf.dev/programming-guides/encoding/). */
function fields(buf: Buffer): Field[] {
  const out: Field[] = []
  let at = 0
  const varint = (): bigint => {
    let value = 0n
    for (let shift = 0n; ; shift += 7n) {
      const byte = buf[at++]!
      value |= BigInt(byte & 0x7f) << shift
      if (byte < 0x80) return value
    }
  }
  while (at < buf.length) {
    const key = Number(varint())
    const no = key >>> 3
    switch (key & 7) {
      case 0:
        out.push({ no, varint: varint() })
        break
      case 1:
        out.push({ no, bytes: buf.subarray(at, at + 8) })
        at += 8
        break
      case 2: {
        const length = Number(varint())
        out.push({ no, bytes: buf.subarray(at, at + length) })
        at += length
        break
      }
      case 5:
        out.push({ no, bytes: buf.subarray(at, at + 4) })
        at += 4
        break
      default:
        throw new Error(`unsupported protobuf wire type ${key & 7}`)
    }
  }
  return out
}

const all = (fs: Field[], no: number) => fs.filter((f) => f.no === no).map((f) => f.bytes!)
const one = (fs: Field[], no: number) => fs.find((f) => f.no === no)
const text = (fs: Field[], no: number) => one(fs, no)?.bytes?.toString('utf8') ?? ''
const hex = (fs: Field[], no: number) => one(fs, no)?.bytes?.toString('hex') ?? ''

/** ExportTraceServiceRequest: resource_spans(1) > resource(1), scope_spans(2) > scope(1), spans(2). */
function decodeProtobuf(body: Buffer): ReceivedSpan[] {
  const out: ReceivedSpan[] = []
  for (const rs of all(fields(body), 1).map(fields)) {
    const resourceBytes = one(rs, 1)?.bytes
    const resource = resourceBytes ? protoAttributes(fields(resourceBytes), 1) : {}
    for (const ss of all(rs, 2).map(fields)) {
      const scopeBytes = one(ss, 1)?.bytes
      const scope = scopeBytes ? text(fields(scopeBytes), 1) : ''
      for (const s of all(ss, 2).map(fields)) {
        const status = one(s, 15)?.bytes
        out.push({
          traceId: hex(s, 1),
          spanId: hex(s, 2),
          parentSpanId: hex(s, 4),
          name: text(s, 5),
          kind: KINDS[Number(one(s, 6)?.varint ?? 0n)] ?? 'unspecified',
          startNs: one(s, 7)?.bytes?.readBigUInt64LE() ?? 0n,
          endNs: one(s, 8)?.bytes?.readBigUInt64LE() ?? 0n,
          attributes: protoAttributes(s, 9),
          events: all(s, 11).map((e) => text(fields(e), 2)),
          statusCode: status ? Number(one(fields(status), 3)?.varint ?? 0n) : 0,
          resource,
          scope,
        })
      }
    }
  }
  return out
}

/** Repeated KeyValue { key = 1; AnyValue value = 2 } at field `no`. */
function protoAttributes(message: Field[], no: number): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const kv of all(message, no).map(fields)) {
    const value = one(kv, 2)?.bytes
    out[text(kv, 1)] = value ? protoValue(fields(value)) : undefined
  }
  return out
}

/** AnyValue: string 1, bool 2, int64 3, double 4, ArrayValue { repeated AnyValue values = 1 } 5. */
function protoValue(value: Field[]): unknown {
  const field = value[0]
  switch (field?.no) {
    case 1:
      return field.bytes!.toString('utf8')
    case 2:
      return field.varint === 1n
    case 3:
      return Number(BigInt.asIntN(64, field.varint!))
    case 4:
      return field.bytes!.readDoubleLE()
    case 5:
      return all(fields(field.bytes!), 1).map((v) => protoValue(fields(v)))
    default:
      return undefined
  }
}
