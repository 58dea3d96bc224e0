import { setTimeout as delay } from 'node:timers/promises'
import type { Command } from 'commander'
import { AdminApiError, type AdminTarget, adminCall, adminTarget, table } from './admin-client.js'
import { print, runCommand } from './run-command.js'
import { timeArg } from './time-arg.js'

interface LogsOptions {
  from?: string
  to?: string
  tenant?: string
  key?: string
  model?: string
  status?: string
  error?: string
  request?: string
  limit?: string
  follow?: boolean
  json?: boolean
  url?: string
}

type LogRecord = Record<string, unknown>

const HEADERS = [
  'TIME (UTC)',
  'REQUEST ID',
  'TENANT',
  'MODEL',
  'STATUS',
  'ERROR',
  'TOKENS IN/OUT',
  'COST USD',
  'LATENCY',
]
/** STATUS, TOKENS, COST and LATENCY are numbers. */
const RIGHT = [4, 6, 7, 8]
/** A record is written when its request ends, stamped with its start: look this far back. */
const FOLLOW_OVERLAP_MS = 120_000

/** `gatehouse logs`: search the request log, or follow it as requests arrive. */
export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description(
      'search the request log (GATEHOUSE_ADMIN_KEY with the admin or auditor role), or --follow it',
    )
    .option('--from <time>', 'since: 24h, 7d, an ISO date or date-time, or epoch ms')
    .option('--to <time>', 'until (same forms)')
    .option('--tenant <tenant>', 'only this tenant')
    .option('--key <id>', 'only this key id')
    .option('--model <model>', 'model asked for or served')
    .option('--status <code>', 'HTTP status, e.g. 429')
    .option('--error <kind>', 'error kind, e.g. upstream_timeout')
    .option('--request <id>', 'one request id')
    .option('--limit <n>', 'records to show (1..1000; default 50)')
    .option('-f, --follow', 'keep printing new records every second until Ctrl-C')
    .option('--json', 'print the API answer as JSON (with --follow, one record per line)')
    .option('--url <url>', 'gateway URL (default $GATEHOUSE_URL or http://127.0.0.1:8787)')
    .action((opts: LogsOptions) =>
      runCommand('logs', async () => {
        const target = adminTarget(opts, process.env)
        const filters = logFilters(opts, Date.now())
        if (opts.follow) return follow(target, filters, opts)
        const answer = await adminCall(target, 'GET', `/admin/logs?${filters}`)
        if (opts.json) return print(JSON.stringify(answer, null, 2))
        const records = answer['data'] as LogRecord[]
        print(table(HEADERS, records.map(logRow), RIGHT))
        if (answer['next_cursor'])
          process.stderr.write(`(more records: raise --limit or narrow the filters)\n`)
      }),
    )
}

function logFilters(opts: LogsOptions, nowMs: number): URLSearchParams {
  const params = new URLSearchParams()
  const time = (name: 'from' | 'to', value: string | undefined) => {
    if (value === undefined) return
    const iso = timeArg(value, nowMs)
    if (iso === undefined)
      throw new AdminApiError(
        0,
        `--${name}: expected 24h, 7d, an ISO date or date-time, or epoch ms; got "${value}"`,
      )
    params.set(name, iso)
  }
  time('from', opts.from)
  if (opts.follow && opts.to !== undefined)
    throw new AdminApiError(0, '--follow shows new records: drop --to')
  time('to', opts.to)
  const pairs: Array<[string, string | undefined]> = [
    ['tenant', opts.tenant],
    ['key_id', opts.key],
    ['model', opts.model],
    ['status', opts.status],
    ['error_kind', opts.error],
    ['request_id', opts.request],
  ]
  for (const [name, value] of pairs) if (value !== undefined) params.set(name, value)
  params.set('limit', opts.limit ?? (opts.follow ? '20' : '50'))
  return params
}

/** Print the last few records oldest first, then every second whatever was written since. */
async function follow(target: AdminTarget, filters: URLSearchParams, opts: LogsOptions): Promise<void> {
  const stop = new AbortController()
  process.once('SIGINT', () => stop.abort())
  const out = followPrinter(opts.json === true)
  const first = await adminCall(target, 'GET', `/admin/logs?${filters}`)
  const seen = new Map<string, number>()
  let highWaterMs: number | undefined
  // Records older than the first ones shown are history, not news: later polls skip them.
  let floorMs = Number.NEGATIVE_INFINITY
  const show = (records: LogRecord[]) => {
    const fresh = records.filter((r) => !seen.has(String(r['request_id'])))
    fresh.sort((a, b) => Date.parse(String(a['time'])) - Date.parse(String(b['time'])))
    for (const r of fresh) {
      const ms = Date.parse(String(r['time']))
      seen.set(String(r['request_id']), ms)
      highWaterMs = Math.max(highWaterMs ?? ms, ms)
      if (ms >= floorMs) out(r)
    }
  }
  const initial = first['data'] as LogRecord[]
  show(initial)
  if (initial.length > 0) floorMs = Math.min(...initial.map((r) => Date.parse(String(r['time']))))
  while (!stop.signal.aborted) {
    await sleep(1_000, stop.signal)
    if (stop.signal.aborted) break
    try {
      show(await since(target, filters, highWaterMs))
    } catch (err) {
      // A gateway restarting is worth waiting for; a refused credential is not.
      if (!(err instanceof AdminApiError) || err.status !== 0) throw err
      process.stderr.write(`gatehouse logs: ${err.message}; retrying\n`)
    }
    if (highWaterMs !== undefined) {
      for (const [id, ms] of seen) if (ms < highWaterMs - 2 * FOLLOW_OVERLAP_MS) seen.delete(id)
    }
  }
}

/** Every record from a little before the newest seen, following the cursor (10 pages at most). */
async function since(target: AdminTarget, filters: URLSearchParams, highWaterMs: number | undefined) {
  const params = new URLSearchParams(filters)
  params.set('limit', '1000')
  if (highWaterMs !== undefined) {
    const asked = params.get('from')
    const from = Math.max(highWaterMs - FOLLOW_OVERLAP_MS, asked ? Date.parse(asked) : 0)
    params.set('from', new Date(from).toISOString())
  }
  const records: LogRecord[] = []
  for (let page = 0; page < 10; page++) {
    const answer = await adminCall(target, 'GET', `/admin/logs?${params}`)
    records.push(...(answer['data'] as LogRecord[]))
    if (!answer['next_cursor']) break
    params.set('cursor', String(answer['next_cursor']))
  }
  return records
}

/** Rows printed as they come: columns keep the widths of the header and first rows, growing only when a cell does not fit. */
function followPrinter(json: boolean): (record: LogRecord) => void {
  if (json) return (r) => print(JSON.stringify(r))
  const widths = HEADERS.map((h, i) => Math.max(h.length, MIN_WIDTHS[i] ?? 0))
  const line = (cells: readonly string[]) => {
    cells.forEach((c, i) => {
      widths[i] = Math.max(widths[i]!, c.length)
    })
    return cells
      .map((c, i) =>
        RIGHT.includes(i) ? c.padStart(widths[i]!) : i === cells.length - 1 ? c : c.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd()
  }
  print(line(HEADERS))
  return (r) => print(line(logRow(r)))
}

/** Room for a UUID request id, a tenant, `model -> model`, and typical numbers. */
const MIN_WIDTHS = [19, 36, 8, 20, 6, 15, 13, 8, 7]

export function logRow(r: LogRecord): string[] {
  const served = r['model_served'] ?? '-'
  const input = r['input_tokens']
  const output = r['output_tokens']
  return [
    String(r['time']).slice(0, 19).replace('T', ' '),
    String(r['request_id']),
    String(r['tenant'] ?? '-'),
    `${r['model_requested']} -> ${served}`,
    String(r['status']),
    String(r['error_kind'] ?? '-'),
    input === null && output === null ? '-' : `${input ?? '-'}/${output ?? '-'}`,
    typeof r['cost_usd'] === 'number' ? r['cost_usd'].toFixed(6) : '-',
    latency(Number(r['latency_ms'])),
  ]
}

function latency(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`
}

/** Resolves after `ms`, or at once when `signal` aborts (Ctrl-C). */
async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => {})
}
