import type { Command } from 'commander'
import { AdminApiError, adminCall, adminTarget, table } from './admin-client.js'

interface CreateOptions {
  tenant: string
  name: string
  role?: string
  models?: string
  routes?: string
  expires?: string
  rpm?: string
  tpm?: string
  concurrency?: string
  dailyUsd?: string
  monthlyUsd?: string
  url?: string
  json?: boolean
}

/** `gatehouse keys create|list|revoke|rotate`, over the admin API (works for any replica). */
export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('manage virtual keys through the admin API (GATEHOUSE_ADMIN_KEY, GATEHOUSE_URL)')

  keys
    .command('create')
    .description('create a key; its secret is printed once')
    .requiredOption('--tenant <tenant>', 'tenant the key belongs to')
    .requiredOption('--name <name>', 'a name to recognise it by')
    .option('--role <role>', 'user (default), admin, auditor or finops')
    .option('--models <a,b>', 'models the key may use (default: all of its tenant)')
    .option('--routes <r,s>', 'routes the key may use (added to --models)')
    .option('--expires <duration>', 'e.g. 30d, 12h')
    .option('--rpm <n>', 'requests per minute')
    .option('--tpm <n>', 'tokens per minute')
    .option('--concurrency <n>', 'requests in flight')
    .option('--daily-usd <usd>', 'hard daily budget')
    .option('--monthly-usd <usd>', 'hard monthly budget')
    .option('--url <url>', 'gateway URL (default $GATEHOUSE_URL or http://127.0.0.1:8787)')
    .option('--json', 'print the API answer as JSON')
    .action((opts: CreateOptions) =>
      run(async () => {
        const models = [...list(opts.models), ...list(opts.routes)]
        const limits = numbers({ rpm: opts.rpm, tpm: opts.tpm, concurrency: opts.concurrency })
        const budget = numbers({ daily_usd: opts.dailyUsd, monthly_usd: opts.monthlyUsd })
        const key = await adminCall(adminTarget(opts, process.env), 'POST', '/admin/keys', {
          tenant: opts.tenant,
          name: opts.name,
          ...(opts.role ? { role: opts.role } : {}),
          ...(models.length > 0 ? { models } : {}),
          ...(opts.expires ? { expires_in: opts.expires } : {}),
          ...(limits ? { limits } : {}),
          ...(budget ? { budget } : {}),
        })
        if (opts.json) return print(JSON.stringify(key, null, 2))
        print(`${key['key']}`)
        process.stderr.write(
          `key ${key['id']} created for tenant ${key['tenant']} (${key['role']}). ` +
            'Store the secret now: it is not shown again.\n',
        )
      }),
    )

  keys
    .command('list')
    .description('list keys (never their secrets)')
    .option('--tenant <tenant>', 'only this tenant')
    .option('--url <url>', 'gateway URL')
    .option('--json', 'print the API answer as JSON')
    .action((opts: { tenant?: string; url?: string; json?: boolean }) =>
      run(async () => {
        const query = opts.tenant ? `?tenant=${encodeURIComponent(opts.tenant)}` : ''
        const answer = await adminCall(adminTarget(opts, process.env), 'GET', `/admin/keys${query}`)
        if (opts.json) return print(JSON.stringify(answer, null, 2))
        const rows = (answer['data'] as Array<Record<string, unknown>>).map((k) => [
          String(k['id']),
          String(k['name']),
          String(k['tenant']),
          String(k['role']),
          k['revoked_at']
            ? 'revoked'
            : k['expires_at'] && Date.parse(String(k['expires_at'])) <= Date.now()
              ? 'expired'
              : 'active',
          day(k['created_at']),
          day(k['expires_at']),
          day(k['last_used_at']),
          String(k['prefix']),
        ])
        print(
          table(
            ['ID', 'NAME', 'TENANT', 'ROLE', 'STATUS', 'CREATED', 'EXPIRES', 'LAST USED', 'PREFIX'],
            rows,
          ),
        )
      }),
    )

  keys
    .command('revoke <id>')
    .description('revoke a key at once')
    .option('--url <url>', 'gateway URL')
    .action((id: string, opts: { url?: string }) =>
      run(async () => {
        await adminCall(
          adminTarget(opts, process.env),
          'POST',
          `/admin/keys/${encodeURIComponent(id)}/revoke`,
        )
        print(`key ${id} revoked`)
      }),
    )

  keys
    .command('rotate <id>')
    .description('issue a new secret; the old one keeps working for the grace period')
    .option('--grace <duration>', 'how long the old secret stays valid (default 24h; 0s for none)')
    .option('--url <url>', 'gateway URL')
    .action((id: string, opts: { grace?: string; url?: string }) =>
      run(async () => {
        const key = await adminCall(
          adminTarget(opts, process.env),
          'POST',
          `/admin/keys/${encodeURIComponent(id)}/rotate`,
          opts.grace ? { grace_period: opts.grace } : {},
        )
        print(`${key['key']}`)
        const until = key['previous_valid_until']
        process.stderr.write(
          `key ${id} rotated; ${until ? `the old secret works until ${until}` : 'the old secret no longer works'}.\n`,
        )
      }),
    )
}

async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action()
  } catch (err) {
    if (!(err instanceof AdminApiError)) throw err
    process.stderr.write(`gatehouse keys: ${err.message}\n`)
    process.exitCode = 1
  }
}

function print(text: string): void {
  process.stdout.write(`${text}\n`)
}

function list(csv: string | undefined): string[] {
  return (csv ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

function numbers(values: Record<string, string | undefined>): Record<string, number> | undefined {
  const out: Record<string, number> = {}
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue
    const n = Number(value)
    if (!Number.isFinite(n) || n <= 0)
      throw new AdminApiError(0, `--${name.replace('_', '-')}: expected a positive number, got "${value}"`)
    out[name] = n
  }
  return Object.keys(out).length > 0 ? out : undefined
}

function day(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 16).replace('T', ' ') : '-'
}
