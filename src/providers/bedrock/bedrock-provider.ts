import type { Dispatcher } from 'undici'
import type { CancelSignal } from '../../cancel-signal.js'
import type { ResolvedProvider } from '../../config/load.js'
import { UpstreamError } from '../../errors.js'
import { readEventStream } from '../shared/event-stream.js'
import { translateAbort } from '../shared/provider-http.js'
import { createProviderPool, request } from '../shared/undici-pool.js'
import type { CallOptions, Provider } from '../types.js'
import { bedrockEmbed } from './bedrock-embed.js'
import { bedrockErrorFromResponse } from './bedrock-error.js'
import { converseStreamChunks } from './converse-stream.js'
import type { ConverseResponse } from './converse-types.js'
import { fromConverseResponse, type ResponseMeta } from './from-converse.js'
import { createRequestSigner, encodePathSegment } from './sign-request.js'
import { toConverseRequest } from './to-converse.js'

export interface BedrockDeps {
  /** The signing clock (SigV4 signatures carry the time). */
  now?: () => Date
}

/**
 * Kind `bedrock`: Amazon Bedrock Runtime. Chat over Converse and ConverseStream
 * (`POST /model/{modelId}/converse[-stream]`), embeddings over InvokeModel, every request signed
 * (SigV4) or carrying a Bedrock API key. The endpoint is `https://bedrock-runtime.{region}.amazonaws.com`
 * unless `base_url` points elsewhere (a VPC endpoint, a proxy, a test fake).
 */
export function createBedrockProvider(config: ResolvedProvider, deps: BedrockDeps = {}): Provider {
  const base = new URL(config.base_url ?? `https://bedrock-runtime.${config.region}.amazonaws.com`)
  const basePath = base.pathname.replace(/\/+$/, '')
  const sign = createRequestSigner(config, deps.now)
  const pool = createProviderPool(base.origin, config)

  async function post(modelId: string, action: string, payload: unknown, opts: CallOptions, accept: string) {
    const path = `${basePath}/model/${encodePathSegment(modelId)}/${action}`
    const body = JSON.stringify(payload)
    try {
      const headers = await sign({
        method: 'POST',
        host: base.host,
        path,
        // Trace headers go in before signing, so they are signed like the rest.
        headers: { ...opts.headers, 'content-type': 'application/json', accept },
        body,
      })
      const response = await request(pool, {
        path,
        method: 'POST',
        headers,
        body,
        signal: opts.signal as unknown as AbortSignal,
      })
      if (response.statusCode < 200 || response.statusCode >= 300) {
        const text = await response.body.text().catch(() => '')
        throw bedrockErrorFromResponse(response.statusCode, response.headers, text)
      }
      return response
    } catch (err) {
      throw translateAbort(err, opts.signal)
    }
  }

  async function json(response: Dispatcher.ResponseData, signal: CancelSignal): Promise<unknown> {
    let text: string
    try {
      text = await response.body.text()
    } catch (err) {
      throw translateAbort(err, signal)
    }
    try {
      return JSON.parse(text)
    } catch {
      throw new UpstreamError('invalid_response', 'provider answered with a body that is not JSON')
    }
  }

  return {
    config,

    async chat(body, opts) {
      const response = await post(
        opts.model.model,
        'converse',
        toConverseRequest(body),
        opts,
        'application/json',
      )
      const answer = (await json(response, opts.signal)) as ConverseResponse
      return fromConverseResponse(answer, meta(response, opts))
    },

    async stream(body, opts) {
      const payload = toConverseRequest(body)
      const response = await post(
        opts.model.model,
        'converse-stream',
        payload,
        opts,
        'application/vnd.amazon.eventstream',
      )
      return abortAware(
        converseStreamChunks(readEventStream(response.body), meta(response, opts)),
        opts.signal,
      )
    },

    embed(body, opts) {
      return bedrockEmbed(body, opts.model.model, async (modelId, payload) => {
        const response = await post(modelId, 'invoke', payload, opts, 'application/json')
        const tokens = Number(response.headers['x-amzn-bedrock-input-token-count'])
        return {
          body: await json(response, opts.signal),
          ...(Number.isFinite(tokens) ? { inputTokens: tokens } : {}),
        }
      })
    },

    close() {
      return pool.close()
    },
  }
}

/** Converse has no response id: AWS's request id serves, so logs on both sides line up. */
function meta(response: Dispatcher.ResponseData, opts: CallOptions): ResponseMeta {
  const awsId = response.headers['x-amzn-requestid']
  return {
    id: `chatcmpl-${typeof awsId === 'string' ? awsId : opts.requestId}`,
    created: Math.floor(Date.now() / 1000),
    model: opts.model.model,
  }
}

async function* abortAware<T>(events: AsyncIterable<T>, signal: CancelSignal): AsyncGenerator<T> {
  try {
    yield* events
  } catch (err) {
    throw translateAbort(err, signal)
  }
}
