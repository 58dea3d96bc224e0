import type { CancelSignal } from '../../cancel-signal.js'
import type { ResolvedProvider } from '../../config/load.js'
import { UpstreamError } from '../../errors.js'
import { createProviderHttp, translateAbort } from '../shared/provider-http.js'
import { readSse } from '../shared/sse.js'
import type { CallOptions, ChatChunk, Provider } from '../types.js'
import { createGeminiStreamTranslator, fromGeminiResponse, type GeminiResponse } from './from-gemini.js'
import { fromGeminiEmbeddings, toGeminiEmbeddings } from './gemini-embeddings.js'
import { readGeminiError } from './read-gemini-error.js'
import { toGeminiRequest } from './to-gemini.js'

/**
 * Google Gemini, two ways in:
 * - the Gemini API (AI Studio): `{base}/models/{model}:generateContent`, key in `x-goog-api-key`
 *   (ai.google.dev/api), base `https://generativelanguage.googleapis.com/v1beta`;
 * - Vertex AI (`vertex: { project, location }`): `{base}/projects/{p}/locations/{l}/publishers/
 *   google/models/{model}:generateContent` with an OAuth bearer token (cloud.google.com/vertex-ai/
 *   docs/reference/rest), base `https://{location}-aiplatform.googleapis.com/v1`.
 * Streams use `:streamGenerateContent?alt=sse`: SSE whose events are whole responses, no [DONE].
 */
export function createGeminiProvider(config: ResolvedProvider): Provider {
  const http = createProviderHttp(config, readGeminiError)
  const vertex = config.vertex
  const auth: Record<string, string> = {}
  if (vertex && config.access_token) auth['authorization'] = `Bearer ${config.access_token.reveal()}`
  else if (config.api_key) auth['x-goog-api-key'] = config.api_key.reveal()
  for (const [name, value] of Object.entries(config.headers ?? {})) auth[name.toLowerCase()] = value.reveal()
  const headers = (accept: string) => ({ ...auth, 'content-type': 'application/json', accept })

  const modelPath = (model: string) => {
    const id = encodeURIComponent(model.replace(/^models\//, ''))
    return vertex
      ? `${http.basePath}/projects/${vertex.project}/locations/${vertex.location}/publishers/google/models/${id}`
      : `${http.basePath}/models/${id}`
  }
  const meta = (opts: CallOptions) => ({
    id: `chatcmpl-${opts.requestId}`,
    model: opts.model.model,
    created: Math.floor(Date.now() / 1000),
  })

  return {
    config,

    async chat(body, opts) {
      const request = toGeminiRequest(body)
      const raw = await http.json<GeminiResponse>(
        `${modelPath(opts.model.model)}:generateContent`,
        request,
        opts,
        headers('application/json'),
      )
      return fromGeminiResponse(raw, meta(opts))
    },

    async stream(body, opts) {
      const request = toGeminiRequest(body)
      const response = await http.post(
        `${modelPath(opts.model.model)}:streamGenerateContent?alt=sse`,
        request,
        opts,
        headers('text/event-stream'),
      )
      return readGeminiStream(response.body, opts.signal, createGeminiStreamTranslator(meta(opts)))
    },

    async embed(body, opts) {
      const model = opts.model.model.replace(/^models\//, '')
      const call = toGeminiEmbeddings(body, model, vertex !== undefined)
      const raw = await http.json<unknown>(
        `${modelPath(model)}:${call.method}`,
        call.body,
        opts,
        headers('application/json'),
      )
      return fromGeminiEmbeddings(raw, body, model)
    },

    close: () => http.close(),
  }
}

async function* readGeminiStream(
  body: AsyncIterable<Uint8Array>,
  signal: CancelSignal,
  translator: ReturnType<typeof createGeminiStreamTranslator>,
): AsyncGenerator<ChatChunk> {
  try {
    for await (const event of readSse(body)) {
      let parsed: GeminiResponse & { error?: unknown }
      try {
        parsed = JSON.parse(event.data) as GeminiResponse & { error?: unknown }
      } catch {
        throw new UpstreamError('invalid_response', 'Gemini sent a stream event that is not JSON')
      }
      if (parsed.error) {
        const detail = readGeminiError(parsed)
        throw new UpstreamError(
          detail.failure ?? 'server',
          detail.message ?? 'Gemini reported an error mid-stream',
        )
      }
      const chunk = translator.event(parsed)
      if (chunk) yield chunk
    }
  } catch (err) {
    throw translateAbort(err, signal)
  }
  const last = translator.finish()
  if (last) yield last
}
