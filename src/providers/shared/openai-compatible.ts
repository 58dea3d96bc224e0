import type { CancelSignal } from '../../cancel-signal.js'
import type { ResolvedProvider } from '../../config/load.js'
import { UpstreamError } from '../../errors.js'
import type {
  CallOptions,
  ChatBody,
  ChatChunk,
  ChatCompletion,
  EmbeddingsBody,
  EmbeddingsResponse,
  Provider,
} from '../types.js'
import { createProviderHttp, translateAbort } from './provider-http.js'
import { readSse } from './sse.js'
import { type ProviderErrorReader, readOpenAIError } from './upstream-error.js'

export type OpenAIOperation = 'chat' | 'embeddings'

/**
 * Where a dialect of OpenAI's API differs from OpenAI's own: the URL of each operation, the error
 * body, and bodies or chunks that need translating. Every hook is optional; OpenAI itself and
 * plain OpenAI-compatible servers use none, so their path stays as short as it was.
 */
export interface OpenAIDialect {
  /** Request path (and query) after the base URL's path; default `/chat/completions`, `/embeddings`. */
  path?: (operation: OpenAIOperation, opts: CallOptions) => string
  readError?: ProviderErrorReader
  /** The chat body as the server wants it; called after `stream`/`stream_options` are set. */
  chatBody?: (body: ChatBody, opts: CallOptions) => Record<string, unknown>
  embeddingsBody?: (body: EmbeddingsBody, opts: CallOptions) => Record<string, unknown>
  /** Canonical answers from the server's; may throw a `GatewayError`/`UpstreamError`. */
  completion?: (raw: ChatCompletion) => ChatCompletion
  embeddings?: (raw: EmbeddingsResponse, body: EmbeddingsBody) => EmbeddingsResponse
  /** Canonical chunks from one server chunk: none (dropped), one, or several. */
  chunk?: (raw: ChatChunk) => ChatChunk | ChatChunk[] | undefined
}

export interface OpenAICompatibleOptions {
  config: ResolvedProvider
  /** Headers every call carries (auth, organization...), values revealed at call time. */
  headers: () => Record<string, string>
  dialect?: OpenAIDialect
}

/**
 * Any server that speaks OpenAI's chat completions and embeddings API: OpenAI itself, vLLM,
 * Ollama, llama.cpp, TGI, Groq, Together, DeepSeek, and through a dialect Azure OpenAI and
 * Mistral. Bodies pass through in OpenAI's shape, so parameters the gateway does not know still
 * reach the server.
 */
export function createOpenAICompatibleProvider({
  config,
  headers,
  dialect = {},
}: OpenAICompatibleOptions): Provider {
  const http = createProviderHttp(config, dialect.readError ?? readOpenAIError)
  const { basePath } = http
  const pathOf = (operation: OpenAIOperation, opts: CallOptions) =>
    basePath + (dialect.path ? dialect.path(operation, opts) : `/${OPERATION_PATHS[operation]}`)
  const headersFor = (opts: CallOptions, accept: string) => ({
    ...headers(),
    'content-type': 'application/json',
    accept,
    'x-request-id': opts.requestId,
  })

  return {
    config,

    async chat(body, opts) {
      body.stream = false
      const wire = dialect.chatBody ? dialect.chatBody(body, opts) : body
      const raw = await http.json<ChatCompletion>(
        pathOf('chat', opts),
        wire,
        opts,
        headersFor(opts, 'application/json'),
      )
      return dialect.completion ? dialect.completion(raw) : raw
    },

    async stream(body, opts) {
      body.stream = true
      if (config.stream_usage) body.stream_options = { ...body.stream_options, include_usage: true }
      const wire = dialect.chatBody ? dialect.chatBody(body, opts) : body
      const response = await http.post(
        pathOf('chat', opts),
        wire,
        opts,
        headersFor(opts, 'text/event-stream'),
      )
      const chunks = readChunks(response.body, opts.signal, dialect.readError ?? readOpenAIError)
      return dialect.chunk ? mapChunks(chunks, dialect.chunk) : chunks
    },

    async embed(body, opts) {
      const wire = dialect.embeddingsBody ? dialect.embeddingsBody(body, opts) : body
      const raw = await http.json<EmbeddingsResponse>(
        pathOf('embeddings', opts),
        wire,
        opts,
        headersFor(opts, 'application/json'),
      )
      return dialect.embeddings ? dialect.embeddings(raw, body) : raw
    },

    close() {
      return http.close()
    },
  }
}

const OPERATION_PATHS: Record<OpenAIOperation, string> = {
  chat: 'chat/completions',
  embeddings: 'embeddings',
}

/** OpenAI's stream: `data: {chunk}` events, then `data: [DONE]`. Anything else ends as a cut stream. */
async function* readChunks(
  body: AsyncIterable<Uint8Array>,
  signal: CancelSignal,
  readError: ProviderErrorReader,
): AsyncGenerator<ChatChunk> {
  let done = false
  try {
    for await (const event of readSse(body)) {
      // Read on to the end of the response after [DONE] (normally nothing is left): stopping
      // early would destroy the socket instead of returning it to the keep-alive pool.
      if (done) continue
      if (event.data === '[DONE]') {
        done = true
        continue
      }
      let parsed: unknown
      try {
        parsed = JSON.parse(event.data)
      } catch {
        throw new UpstreamError('invalid_response', 'provider sent a stream event that is not JSON')
      }
      if ((parsed as { error?: unknown }).error) {
        const detail = readError(parsed)
        throw new UpstreamError(
          detail.failure ?? 'server',
          detail.message ?? 'provider reported an error mid-stream',
        )
      }
      yield parsed as ChatChunk
    }
  } catch (err) {
    throw translateAbort(err, signal)
  }
  if (!done) throw new UpstreamError('stream_cut', 'provider closed the stream before it finished')
}

async function* mapChunks(
  chunks: AsyncIterable<ChatChunk>,
  map: (raw: ChatChunk) => ChatChunk | ChatChunk[] | undefined,
): AsyncGenerator<ChatChunk> {
  for await (const raw of chunks) {
    const out = map(raw)
    if (out === undefined) continue
    if (Array.isArray(out)) yield* out
    else yield out
  }
}
