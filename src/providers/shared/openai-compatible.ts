import type { CancelSignal } from '../../cancel-signal.js'
import type { ResolvedProvider } from '../../config/load.js'
import { UpstreamError } from '../../errors.js'
import type {
  CallOptions,
  ChatChunk,
  ChatCompletion,
  EmbeddingsBody,
  EmbeddingsResponse,
  Provider,
} from '../types.js'
import { readSse } from './sse.js'
import { Pool, request } from './undici-pool.js'
import { upstreamErrorFromResponse, upstreamErrorFromTransport } from './upstream-error.js'

export interface OpenAICompatibleOptions {
  config: ResolvedProvider
  /** Headers every call carries (auth, organization...), values revealed at call time. */
  headers: () => Record<string, string>
}

/**
 * Any server that speaks OpenAI's chat completions and embeddings API: OpenAI itself, vLLM,
 * Ollama, llama.cpp, TGI, Groq, Together, DeepSeek... Bodies pass through in OpenAI's shape, so
 * parameters the gateway does not know still reach the server.
 */
export function createOpenAICompatibleProvider({ config, headers }: OpenAICompatibleOptions): Provider {
  const base = new URL(config.base_url!)
  const basePath = base.pathname.replace(/\/+$/, '')
  // One keep-alive pool per provider: connection setup is paid once, not per call.
  const pool = new Pool(base.origin, {
    connections: config.max_connections,
    connect: { timeout: config.connect_timeout_ms },
    // Off: execute's CallDeadline bounds every attempt, and undici's timers cost two objects per
    // call that it clears only every ~1 s (FastTimer), long enough to be promoted to old space.
    headersTimeout: 0,
    bodyTimeout: 0,
    keepAliveTimeout: 30_000,
  })

  async function post(path: string, body: unknown, opts: CallOptions, accept: string) {
    try {
      const response = await request(pool, {
        path: basePath + path,
        method: 'POST',
        headers: { ...headers(), 'content-type': 'application/json', accept, 'x-request-id': opts.requestId },
        body: JSON.stringify(body),
        // undici takes any EventTarget-like signal with `aborted` and `reason`.
        signal: opts.signal as unknown as AbortSignal,
      })
      if (response.statusCode < 200 || response.statusCode >= 300) {
        const text = await response.body.text().catch(() => '')
        throw upstreamErrorFromResponse(response.statusCode, response.headers, text)
      }
      return response
    } catch (err) {
      throw translateAbort(err, opts.signal)
    }
  }

  async function json<T>(path: string, body: unknown, opts: CallOptions): Promise<T> {
    const response = await post(path, body, opts, 'application/json')
    let text: string
    try {
      text = await response.body.text()
    } catch (err) {
      throw translateAbort(err, opts.signal)
    }
    try {
      return JSON.parse(text) as T
    } catch {
      throw new UpstreamError('invalid_response', 'provider answered with a body that is not JSON')
    }
  }

  return {
    config,

    chat(body, opts) {
      body.stream = false
      return json<ChatCompletion>('/chat/completions', body, opts)
    },

    async stream(body, opts) {
      body.stream = true
      if (config.stream_usage) body.stream_options = { ...body.stream_options, include_usage: true }
      const response = await post('/chat/completions', body, opts, 'text/event-stream')
      return readChunks(response.body, opts.signal)
    },

    embed(body, opts) {
      return json<EmbeddingsResponse>('/embeddings', body as EmbeddingsBody, opts)
    },

    close() {
      return pool.close()
    },
  }
}

/** OpenAI's stream: `data: {chunk}` events, then `data: [DONE]`. Anything else ends as a cut stream. */
async function* readChunks(body: AsyncIterable<Uint8Array>, signal: CancelSignal): AsyncGenerator<ChatChunk> {
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
      const error = (parsed as { error?: { message?: unknown } }).error
      if (error) {
        const message =
          typeof error.message === 'string' ? error.message : 'provider reported an error mid-stream'
        throw new UpstreamError('server', message)
      }
      yield parsed as ChatChunk
    }
  } catch (err) {
    throw translateAbort(err, signal)
  }
  if (!done) throw new UpstreamError('stream_cut', 'provider closed the stream before it finished')
}

/** An abort (the caller left, or execute's deadline passed) stays an abort: execute tells which. */
export function translateAbort(err: unknown, signal: CancelSignal): unknown {
  if (err instanceof UpstreamError) return err
  if (signal.aborted) return signal.reason ?? err
  return upstreamErrorFromTransport(err)
}
