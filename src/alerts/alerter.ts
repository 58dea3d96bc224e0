import { createHmac } from 'node:crypto'
import type { AlertsConfig } from '../config/access-schema.js'

export interface Alert {
  /** `budget.threshold`, `budget.exceeded`, `loop.detected`. */
  event: string
  tenant?: string | undefined
  key_id?: string | undefined
  [field: string]: unknown
}

export interface AlerterDeps {
  /** Where every alert is logged (a warning), whatever the webhooks do. */
  log: (alert: Alert) => void
  /** Delivery failures that ran out of attempts. */
  onGiveUp?: (url: string, alert: Alert) => void
  fetch?: typeof fetch
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

export interface Alerter {
  send(alert: Alert): void
  /** Wait for deliveries in progress (shutdown, tests). */
  drain(): Promise<void>
}

/**
 * Alerts go to the log and to each webhook as a JSON POST. A delivery is retried with exponential
 * backoff on a network error, a 429 or a 5xx; never on the request path. With a secret, the body is
 * signed like Stripe's webhooks: `x-gatehouse-signature: t=<unix s>,v1=<hex HMAC-SHA256 of "t.body">`,
 * so a receiver can check origin and reject replays by the timestamp.
 */
export function createAlerter(config: () => AlertsConfig, deps: AlerterDeps): Alerter {
  const doFetch = deps.fetch ?? fetch
  const sleep =
    deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()))
  const now = deps.now ?? Date.now
  const pending = new Set<Promise<void>>()

  async function deliver(url: string, secret: string | undefined, alert: Alert, settings: AlertsConfig) {
    const body = JSON.stringify({ ...alert, at: new Date(now()).toISOString() })
    for (let attempt = 1; attempt <= settings.max_attempts; attempt++) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'gatehouse',
      }
      if (secret !== undefined) {
        const t = Math.floor(now() / 1000)
        headers['x-gatehouse-signature'] = `t=${t},v1=${signature(secret, t, body)}`
      }
      try {
        const response = await doFetch(url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(10_000),
        })
        await response.body?.cancel()
        if (response.ok || (response.status < 500 && response.status !== 429)) return
      } catch {
        // network error: retried below
      }
      if (attempt < settings.max_attempts) await sleep(settings.initial_backoff_ms * 2 ** (attempt - 1))
    }
    deps.onGiveUp?.(url, alert)
  }

  return {
    send(alert) {
      deps.log(alert)
      const settings = config()
      for (const hook of settings.webhooks) {
        const delivery = deliver(hook.url, hook.secret?.reveal(), alert, settings).finally(() =>
          pending.delete(delivery),
        )
        pending.add(delivery)
      }
    },
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending])
    },
  }
}

export function signature(secret: string, unixS: number, body: string): string {
  return createHmac('sha256', secret).update(`${unixS}.${body}`).digest('hex')
}
