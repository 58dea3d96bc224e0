import { createRequire } from 'node:module'
import type { Dispatcher, Pool as UndiciPool } from 'undici'

/*
 * undici's Pool and request API without the rest of undici. The package entry point also loads
 * fetch, WebSocket, EventSource, caches, cookies and mocks, which the gateway never uses: about
 * 3 MB more heap and 7 MB more RSS for the life of the process (Node 20, undici 7.30.2). undici
 * has no exports map and is pinned at an exact version, so these paths are stable for us; the
 * provider integration tests fail if an upgrade moves them.
 */
const require = createRequire(import.meta.url)

export const Pool = require('undici/lib/dispatcher/pool.js') as typeof UndiciPool

const requestApi = require('undici/lib/api/api-request.js') as (
  this: Dispatcher,
  options: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>

/** `dispatcher.request(options)`: the entry point installs it on Dispatcher.prototype; we call it directly. */
export function request(
  dispatcher: Dispatcher,
  options: Omit<Dispatcher.RequestOptions, 'origin'>,
): Promise<Dispatcher.ResponseData> {
  return requestApi.call(dispatcher, options as Dispatcher.RequestOptions)
}

/**
 * One keep-alive pool per provider, so connection setup is paid once, not per call. undici's
 * timers are off: execute's CallDeadline bounds every attempt, and those timers cost two objects
 * per call that undici clears only every ~1 s (FastTimer), long enough to be promoted to old space.
 */
export function createProviderPool(
  origin: string,
  config: { max_connections: number; connect_timeout_ms: number },
): UndiciPool {
  return new Pool(origin, {
    connections: config.max_connections,
    connect: { timeout: config.connect_timeout_ms },
    headersTimeout: 0,
    bodyTimeout: 0,
    keepAliveTimeout: 30_000,
  })
}
