import type { Command } from 'commander'
import { AdminApiError, adminCall, adminTarget, table } from './admin-client.js'
import { barChart } from './bar-chart.js'
import { print, runCommand } from './run-command.js'
import { timeArg } from './time-arg.js'

interface UsageOptions {
  groupBy?: string
  from?: string
  to?: string
  interval?: string
  tenant?: string
  chart?: string
  json?: boolean
  url?: string
}

type Row = Record<string, unknown>

const GROUP_HEADERS: Record<string, string> = {
  tenant: 'TENANT',
  key_id: 'KEY ID',
  model: 'MODEL',
  route: 'ROUTE',
  provider: 'PROVIDER',
}
const FIGURE_HEADERS = [
  'REQUESTS',
  'ERRORS',
  'IN TOKENS',
  'OUT TOKENS',
  'COST USD',
  'AVG MS',
  'FEEDBACK',
  'AVG SCORE',
]
const INTERVAL_MS: Record<string, number> = { hour: 3_600_000, day: 86_400_000 }

/** `gatehouse usage`: requests, errors, tokens, cost and feedback, grouped, with totals and a chart. */
export function registerUsage(program: Command): void {
  program
    .command('usage')
    .description('usage and cost from the request log (admin, auditor or finops role)')
    .option('--group-by <a,b>', 'any of tenant, key_id, model, route, provider')
    .option(
      '--from <time>',
      'since: 24h, 7d, an ISO date or date-time, or epoch ms (default 24h; 30d by day)',
    )
    .option('--to <time>', 'until (same forms; default now)')
    .option('--interval <hour|day>', 'one row per UTC hour or day, and a bar chart per bucket')
    .option('--tenant <tenant>', 'only this tenant')
    .option('--chart <cost|requests>', 'what the chart shows (default cost, requests when nothing is priced)')
    .option('--json', 'print the API answer as JSON')
    .option('--url <url>', 'gateway URL (default $GATEHOUSE_URL or http://127.0.0.1:8787)')
    .action((opts: UsageOptions) =>
      runCommand('usage', async () => {
        if (opts.chart !== undefined && opts.chart !== 'cost' && opts.chart !== 'requests')
          throw new AdminApiError(0, `--chart: expected cost or requests, got "${opts.chart}"`)
        const answer = await adminCall(
          adminTarget(opts, process.env),
          'GET',
          `/admin/usage?${usageParams(opts)}`,
        )
        if (opts.json) return print(JSON.stringify(answer, null, 2))
        print(usageTable(answer))
        if (answer['interval']) print(`\n${usageChart(answer, opts.chart).join('\n')}`)
      }),
    )
}

function usageParams(opts: UsageOptions): URLSearchParams {
  const params = new URLSearchParams()
  const now = Date.now()
  for (const name of ['from', 'to'] as const) {
    const value = opts[name]
    if (value === undefined) continue
    const iso = timeArg(value, now)
    if (iso === undefined)
      throw new AdminApiError(
        0,
        `--${name}: expected 24h, 7d, an ISO date or date-time, or epoch ms; got "${value}"`,
      )
    params.set(name, iso)
  }
  if (opts.groupBy) params.set('group_by', opts.groupBy.replace(/\s+/g, ''))
  if (opts.interval) params.set('interval', opts.interval)
  if (opts.tenant) params.set('tenant', opts.tenant)
  return params
}

/** Group columns, the bucket, then the figures right-aligned; a TOTAL row last. */
export function usageTable(answer: Record<string, unknown>): string {
  const groups = answer['group_by'] as string[]
  const interval = answer['interval'] as string | null
  const lead = [
    ...groups.map((g) => GROUP_HEADERS[g] ?? g.toUpperCase()),
    ...(interval ? ['BUCKET (UTC)'] : []),
  ]
  const rows = (answer['data'] as Row[]).map((r) => [
    ...groups.map((g) => String(r[g] ?? '-')),
    ...(interval ? [bucketLabel(String(r['bucket']), interval)] : []),
    ...figures(r),
  ])
  const totalLead = lead.length > 0 ? ['TOTAL', ...lead.slice(1).map(() => '')] : []
  rows.push([...totalLead, ...figures(answer['totals'] as Row)])
  const right = FIGURE_HEADERS.map((_, i) => lead.length + i)
  return table([...lead, ...FIGURE_HEADERS], rows, right)
}

function figures(r: Row): string[] {
  const score = r['avg_score']
  return [
    String(r['requests']),
    String(r['errors']),
    String(r['input_tokens']),
    String(r['output_tokens']),
    Number(r['cost_usd']).toFixed(6),
    Number(r['avg_latency_ms']).toFixed(1),
    String(r['feedback_count']),
    typeof score === 'number' ? score.toFixed(2) : '-',
  ]
}

/** One bar per bucket of the range, empty buckets included, summed over the groups. */
export function usageChart(answer: Record<string, unknown>, chart: string | undefined): string[] {
  const interval = String(answer['interval'])
  const size = INTERVAL_MS[interval]!
  const totals = answer['totals'] as Row
  const metric = chart ?? (Number(totals['cost_usd']) > 0 ? 'cost' : 'requests')
  const perBucket = new Map<number, number>()
  for (const r of answer['data'] as Row[]) {
    const at = Date.parse(String(r['bucket']))
    const value = metric === 'cost' ? Number(r['cost_usd']) : Number(r['requests'])
    perBucket.set(at, (perBucket.get(at) ?? 0) + value)
  }
  const from = Math.floor(Date.parse(String(answer['from'])) / size) * size
  const to = Date.parse(String(answer['to']))
  const bars = []
  for (let at = from; at < to; at += size) {
    const value = perBucket.get(at) ?? 0
    bars.push({
      label: bucketLabel(new Date(at).toISOString(), interval),
      value,
      text: metric === 'cost' ? value.toFixed(6) : String(value),
    })
  }
  const title = `${metric === 'cost' ? 'cost (USD)' : 'requests'} per ${interval} (UTC)`
  return [title, ...barChart(bars)]
}

function bucketLabel(iso: string, interval: string): string {
  return interval === 'day' ? iso.slice(0, 10) : iso.slice(0, 16).replace('T', ' ')
}
