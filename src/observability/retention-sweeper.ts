import type { Logger } from 'pino'
import type { ResolvedConfig } from '../config/load.js'
import type { Store } from '../store/store.js'

const BATCH = 1_000
const DAY_MS = 86_400_000

export interface SweepResult {
  deleted: number
  /** Per tenant with its own retention, and `*` for everyone else. */
  byTenant: Record<string, number>
}

/**
 * Deletes request-log records past their retention: each tenant with `retention_days` on its own
 * clock, everyone else after `logging.retention_days`. Deletes go in batches of 1,000 with a turn
 * of the event loop between them, so a large backlog never stalls requests or holds a long lock;
 * the table stays bounded by traffic x retention.
 */
export async function sweepRequestLogs(
  store: Pick<Store, 'deleteRequestLogs'>,
  config: ResolvedConfig,
  tenantRetention: ReadonlyMap<string, number>,
  nowMs: number,
): Promise<SweepResult> {
  const byTenant: Record<string, number> = {}
  const drain = async (label: string, query: Parameters<Store['deleteRequestLogs']>[0]) => {
    let total = 0
    for (;;) {
      const deleted = await store.deleteRequestLogs(query)
      total += deleted
      if (deleted < query.limit) break
      await new Promise((resolve) => setImmediate(resolve))
    }
    if (total > 0) byTenant[label] = total
  }
  for (const [tenant, days] of tenantRetention) {
    await drain(tenant, { before: nowMs - days * DAY_MS, tenant, limit: BATCH })
  }
  await drain('*', {
    before: nowMs - config.logging.retention_days * DAY_MS,
    exceptTenants: [...tenantRetention.keys()],
    limit: BATCH,
  })
  return { deleted: Object.values(byTenant).reduce((a, b) => a + b, 0), byTenant }
}

/** Run the sweep every `logging.retention_sweep_s`, and once shortly after start. */
export function startRetentionSweeper(options: {
  store: Pick<Store, 'deleteRequestLogs'>
  config: () => ResolvedConfig
  tenantRetention: () => ReadonlyMap<string, number>
  logger: Logger
}): { stop(): void } {
  let running = false
  const sweep = async () => {
    if (running) return
    running = true
    try {
      const result = await sweepRequestLogs(
        options.store,
        options.config(),
        options.tenantRetention(),
        Date.now(),
      )
      if (result.deleted > 0) options.logger.info(result, 'request logs past retention deleted')
    } catch (err) {
      options.logger.warn({ err }, 'retention sweep failed')
    } finally {
      running = false
    }
  }
  const first = setTimeout(sweep, 10_000)
  const timer = setInterval(sweep, options.config().logging.retention_sweep_s * 1000)
  first.unref()
  timer.unref()
  return {
    stop() {
      clearTimeout(first)
      clearInterval(timer)
    },
  }
}
