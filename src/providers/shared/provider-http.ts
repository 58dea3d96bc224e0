import type { Dispatcher } from 'undici'
import type { CancelSignal } from '../../cancel-signal.js'
import type { ResolvedProvider } from '../../config/load.js'
import { UpstreamError } from '../../errors.js'
import type { CallOptions } from '../types.js'
import { createProviderPool, request } from './undici-pool.js'
import {
  type ProviderErrorReader,
  upstreamErrorFromResponse,
  upstreamErrorFromTransport,
} from './upstream-error.js'

export interface ProviderHttp {
  /** The base URL's path without a trailing slash (`/v1`), to prefix request paths with. */
  basePath: string
  /** POST JSON; resolves on a 2xx answer, throws `UpstreamError` (or the abort reason) otherwise. */
  post(
    path: string,
    body: unknown,
    opts: CallOptions,
    headers: Record<string, string>,
  ): Promise<Dispatcher.ResponseData>
  /** POST JSON and parse the JSON answer. */
  json<T>(path: string, body: unknown, opts: CallOptions, headers: Record<string, string>): Promise<T>
  close(): Promise<void>
}

/**
 * One keep-alive undici pool per provider and the POST every adapter makes over it: connection
 * setup is paid once, not per call, and non-2xx answers become `UpstreamError`s read by the
 * provider's own `ProviderErrorReader`.
 */
export function createProviderHttp(config: ResolvedProvider, readError?: ProviderErrorReader): ProviderHttp {
  const base = new URL(config.base_url!)
  const pool = createProviderPool(base.origin, config)

  async function post(path: string, body: unknown, opts: CallOptions, headers: Record<string, string>) {
    try {
      const response = await request(pool, {
        path,
        method: 'POST',
        // Trace context rides on top of the adapter's headers when tracing is on.
        headers: opts.headers ? { ...headers, ...opts.headers } : headers,
        body: JSON.stringify(body),
        // undici takes any EventTarget-like signal with `aborted` and `reason`.
        signal: opts.signal as unknown as AbortSignal,
      })
      if (response.statusCode < 200 || response.statusCode >= 300) {
        const text = await response.body.text().catch(() => '')
        throw upstreamErrorFromResponse(response.statusCode, response.headers, text, readError)
      }
      return response
    } catch (err) {
      throw translateAbort(err, opts.signal)
    }
  }

  return {
    basePath: base.pathname.replace(/\/+$/, ''),
    post,
    async json<T>(path: string, body: unknown, opts: CallOptions, headers: Record<string, string>) {
      const response = await post(path, body, opts, headers)
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
    },
    close: () => pool.close(),
  }
}

/** An abort (the caller left, or execute's deadline passed) stays an abort: execute tells which. */
export function translateAbort(err: unknown, signal: CancelSignal): unknown {
  if (err instanceof UpstreamError) return err
  if (signal.aborted) return signal.reason ?? err
  return upstreamErrorFromTransport(err)
}
