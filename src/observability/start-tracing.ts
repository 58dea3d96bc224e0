import type { ExportResult } from '@opentelemetry/core'
import { ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type ReadableSpan,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base'
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions'
import type { Logger } from 'pino'
import type { TracingConfig } from '../config/schema.js'
import { createOtelTracer } from './otel-tracer.js'
import type { Tracer } from './tracer.js'

export interface Tracing {
  tracer: Tracer
  /** Export what is buffered and stop; called once the server has closed. */
  shutdown(): Promise<void>
}

export interface StartTracingOptions {
  config: TracingConfig
  logger: Logger
  serviceVersion: string
  /** Replace the OTLP exporter (tests). */
  exporter?: SpanExporter
}

/**
 * The OpenTelemetry SDK for the gateway's own spans: a tracer provider that is never registered
 * globally (nothing else in the process is instrumented by it), a ratio sampler that follows a
 * caller's sampled flag, and a batch processor exporting OTLP/HTTP (protobuf, the protocol's default and about three
 * times cheaper to encode than its JSON form) off the request path.
 * main.ts loads this module only when `tracing.enabled` is set.
 */
export function startTracing({ config, logger, serviceVersion, exporter }: StartTracingOptions): Tracing {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(config.headers)) headers[name] = value.reveal()
  const otlp =
    exporter ??
    new OTLPTraceExporter({
      url: config.otlp_endpoint,
      headers,
      timeoutMillis: config.export_timeout_ms,
    })
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: config.service_name,
      [ATTR_SERVICE_VERSION]: serviceVersion,
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sample_ratio) }),
    spanProcessors: [
      new BatchSpanProcessor(withFailureLog(otlp, logger, config.otlp_endpoint), {
        exportTimeoutMillis: config.export_timeout_ms,
      }),
    ],
  })
  const tracer = createOtelTracer({
    tracer: provider.getTracer('gatehouse', serviceVersion),
    propagator: new W3CTraceContextPropagator(),
    captureContent: config.capture_content,
  })
  logger.info(
    { endpoint: config.otlp_endpoint, sample_ratio: config.sample_ratio },
    'tracing on: exporting spans over OTLP/HTTP',
  )
  return {
    tracer,
    async shutdown() {
      await provider
        .shutdown()
        .catch((err: unknown) => logger.warn({ err }, 'trace export at shutdown failed'))
    },
  }
}

/**
 * The SDK reports export failures through its global diagnostic logger, silent by default; a
 * collector that is down should show in our logs instead (once per failed batch, no span data).
 */
function withFailureLog(exporter: SpanExporter, logger: Logger, endpoint: string): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS)
          logger.warn(
            { endpoint, spans: spans.length, reason: result.error?.message },
            'trace export failed: spans dropped',
          )
        done(result)
      })
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  }
}
