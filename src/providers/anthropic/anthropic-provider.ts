import type { ResolvedProvider } from '../../config/load.js'
import { GatewayError, UpstreamError } from '../../errors.js'
import { translateAbort } from '../shared/provider-http.js'
import { readSse } from '../shared/sse.js'
import { createProviderPool, request } from '../shared/undici-pool.js'
import { upstreamErrorFromResponse } from '../shared/upstream-error.js'
import type { CallOptions, ChatBody, Provider } from '../types.js'
import { anthropicStreamToChunks } from './anthropic-stream-to-chunks.js'
import type { AnthropicResponse } from './anthropic-types.js'
import { fromAnthropicResponse } from './from-anthropic-response.js'
import { rateLimitResetS } from './rate-limit-reset.js'
import { readAnthropicError } from './read-anthropic-error.js'
import { toAnthropicRequest } from './to-anthropic-request.js'

/** Anthropic requires `max_tokens`; this is used when neither the caller nor default_params set it. */
export const DEFAULT_MAX_TOKENS = 4096

/**
 * Kind `anthropic`: the Messages API (https://docs.anthropic.com/en/api/messages), authenticated
 * with `x-api-key` and versioned by `anthropic-version`. Bodies are translated from and to the
 * canonical OpenAI shapes; Anthropic has no embeddings API.
 */
export function createAnthropicProvider(config: ResolvedProvider): Provider {
  const base = new URL(config.base_url ?? 'https://api.anthropic.com')
  const path = `${base.pathname.replace(/\/+$/, '')}/v1/messages`
  const headers: Record<string, string> = {
    'anthropic-version': config.anthropic_version ?? '2023-06-01',
    'content-type': 'application/json',
  }
  if (config.api_key) headers['x-api-key'] = config.api_key.reveal()
  for (const [name, value] of Object.entries(config.headers ?? {}))
    headers[name.toLowerCase()] = value.reveal()
  const pool = createProviderPool(base.origin, config)

  async function post(body: ChatBody, opts: CallOptions, stream: boolean) {
    const call = toAnthropicRequest(body, { provider: config.name, defaultMaxTokens: DEFAULT_MAX_TOKENS })
    // The method decides, whatever the body says (as openai-compatible sets `stream` per call).
    if (stream) call.request.stream = true
    else delete call.request.stream
    try {
      const response = await request(pool, {
        path,
        method: 'POST',
        headers: { ...headers, ...opts.headers, accept: stream ? 'text/event-stream' : 'application/json' },
        body: JSON.stringify(call.request),
        signal: opts.signal as unknown as AbortSignal,
      })
      if (response.statusCode < 200 || response.statusCode >= 300) {
        const text = await response.body.text().catch(() => '')
        throw withRateLimitReset(
          upstreamErrorFromResponse(response.statusCode, response.headers, text, readAnthropicError),
          response.headers,
        )
      }
      return { response, jsonTool: call.jsonTool }
    } catch (err) {
      throw translateAbort(err, opts.signal)
    }
  }

  return {
    config,

    async chat(body, opts) {
      const { response, jsonTool } = await post(body, opts, false)
      let message: AnthropicResponse
      try {
        message = JSON.parse(await response.body.text()) as AnthropicResponse
      } catch (err) {
        if (err instanceof SyntaxError)
          throw new UpstreamError('invalid_response', 'provider answered with a body that is not JSON')
        throw translateAbort(err, opts.signal)
      }
      if (message?.type !== 'message' || !Array.isArray(message.content)) {
        throw new UpstreamError('invalid_response', 'provider answered with something other than a message')
      }
      return fromAnthropicResponse(message, { jsonTool, createdS: nowS() })
    },

    async stream(body, opts) {
      const { response, jsonTool } = await post(body, opts, true)
      return translateErrors(
        anthropicStreamToChunks(readSse(response.body), { jsonTool, createdS: nowS() }),
        opts,
      )
    },

    async embed() {
      throw new GatewayError(
        'unsupported_operation',
        `Provider "${config.name}" (anthropic) has no embeddings API; configure an embeddings model on another provider.`,
        { param: 'model' },
      )
    },

    close() {
      return pool.close()
    },
  }
}

async function* translateErrors<T>(source: AsyncIterable<T>, opts: CallOptions): AsyncGenerator<T> {
  try {
    yield* source
  } catch (err) {
    throw translateAbort(err, opts.signal)
  }
}

function withRateLimitReset(
  error: UpstreamError,
  headers: Record<string, string | string[] | undefined>,
): UpstreamError {
  if (error.failure !== 'rate_limited' || error.retryAfterS !== undefined) return error
  const resetS = rateLimitResetS(headers)
  if (resetS === undefined) return error
  return new UpstreamError(error.failure, error.message, { status: error.status, retryAfterS: resetS })
}

const nowS = () => Math.floor(Date.now() / 1000)
