import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

/**
 * A local OTLP/HTTP trace receiver (what an OpenTelemetry Collector listens on at :4318): it
 * accepts `POST /v1/traces` in the OTLP JSON encoding
 * (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding), answers 200 with an empty
 * ExportTraceServiceResponse, and keeps every span, flattened, with the export's headers.
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
    if (req.method !== 'POST' || req.url !== '/v1/traces' || !req.headers['content-type']?.includes('json')) {
      res
        .writeHead(415, { 'content-type': 'application/json' })
        .end('{"message":"expected JSON on /v1/traces"}')
      return
    }
    exports.push(req.headers)
    spans.push(...decode(JSON.parse(body.toString('utf8'))))
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
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
