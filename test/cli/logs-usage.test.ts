import { execFile, spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RequestLogRecord } from '../../src/store/store.js'
import { ADMIN_KEY, createKey, startAccessGateway } from '../access/access-helpers.js'
import { postJson, type TestGateway } from '../helpers/gateway.js'
import { withTimeout } from '../helpers/process.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'bin/gatehouse.js')
const run = promisify(execFile)

const HOUR = 3_600_000
const T0 = Date.UTC(2020, 0, 15)
/** Globex's history: 2 small calls at 00:xx, 4 large at 02:xx, 1 failed small at 03:xx; 1 cent each. */
const HISTORY: RequestLogRecord[] = [
  ...[0, 1].map((i) => past(`h0-${i}`, 0, 'small')),
  ...[0, 1, 2, 3].map((i) => past(`h2-${i}`, 2, 'large')),
  { ...past('h3-0', 3, 'small'), status: 502, errorKind: 'upstream_error' },
]

function past(id: string, hour: number, model: string): RequestLogRecord {
  return {
    requestId: id,
    ts: T0 + hour * HOUR + 60_000,
    tenant: 'globex',
    keyId: 'k-globex',
    operation: 'chat',
    modelRequested: model,
    route: model,
    provider: 'sim',
    modelServed: model,
    status: 200,
    attempts: 1,
    inputTokens: 100,
    outputTokens: 50,
    costUsd: 0.01,
    latencyMs: 20,
  }
}

describe('gatehouse logs and usage', () => {
  let gateway: TestGateway
  let env: NodeJS.ProcessEnv
  let userKey: string
  const call = (id: string, model = 'small') =>
    postJson(
      `${gateway.baseURL}/chat/completions`,
      { model, messages: [{ role: 'user', content: 'hello' }] },
      { authorization: `Bearer ${userKey}`, 'x-gatehouse-request-id': id },
    )

  beforeAll(async () => {
    // The history is from 2020: a retention long enough that the sweeper keeps it.
    gateway = await startAccessGateway({ logging: { request_log: true, retention_days: 36_500 } })
    env = { PATH: process.env['PATH'], GATEHOUSE_URL: gateway.url, GATEHOUSE_ADMIN_KEY: ADMIN_KEY }
    userKey = (await createKey(gateway, { tenant: 'acme', name: 'cli-user' })).key
    for (let i = 0; i < 3; i++) expect((await call(`cli-ok-${i}`)).status).toBe(200)
    expect((await call('cli-denied', 'large')).status).toBe(403)
    await gateway.gatehouse.store.insertRequestLogs(HISTORY)
    await withTimeout(
      (async () => {
        while (!(await cli(['logs', '--request', 'cli-denied', '--json'])).stdout.includes('cli-denied'))
          await sleep(50)
      })(),
      5_000,
      'the request log',
    )
  })
  afterAll(async () => {
    await gateway?.close()
  })

  async function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...env, ...extraEnv } })
      return { code: 0, stdout, stderr }
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string }
      return { code: e.code, stdout: e.stdout, stderr: e.stderr }
    }
  }

  it('searches the log in aligned columns', async () => {
    const out = await cli(['logs', '--tenant', 'acme'])
    expect(out.code, out.stderr).toBe(0)
    const [header, ...rows] = out.stdout.trimEnd().split('\n')
    expect(header).toMatch(
      /^TIME \(UTC\)\s+REQUEST ID\s+TENANT\s+MODEL\s+STATUS\s+ERROR\s+TOKENS IN\/OUT\s+COST USD\s+LATENCY$/,
    )
    expect(rows.map((r) => r.split(/\s+/)[2])).toEqual(['cli-denied', 'cli-ok-2', 'cli-ok-1', 'cli-ok-0'])
    for (const row of rows) {
      // Text columns start under their header; number columns end under theirs.
      expect(row.indexOf('acme')).toBe(header!.indexOf('TENANT'))
      expect(row.slice(header!.indexOf('MODEL'))).toMatch(/^(small|large) -> /)
      const statusEnd = header!.indexOf('STATUS') + 'STATUS'.length
      expect(row.slice(statusEnd - 3, statusEnd)).toMatch(/^(200|403)$/)
      const costEnd = header!.indexOf('COST USD') + 'COST USD'.length
      expect(row.slice(costEnd - 8, costEnd)).toMatch(/^(0\.\d{6}|\s+-)$/)
    }
    const denied = rows[0]!
    expect(denied).toContain('large -> -')
    expect(denied).toContain('forbidden')
    expect(rows[1]).toContain('small -> small')
  })

  it('filters, prints JSON, and says what is wrong with a bad flag', async () => {
    const json = JSON.parse((await cli(['logs', '--status', '403', '--json'])).stdout)
    expect(json.data.map((r: any) => r.request_id)).toEqual(['cli-denied'])
    const window = await cli(['logs', '--from', '2020-01-15', '--to', '2020-01-15T03:00:00Z'])
    expect(window.stdout.trim().split('\n')).toHaveLength(1 + 6)
    const badFrom = await cli(['logs', '--from', 'yesterday'])
    expect(badFrom.code).toBe(1)
    expect(badFrom.stderr).toContain('--from: expected 24h, 7d')
    const badLimit = await cli(['logs', '--limit', '0'])
    expect(badLimit.code).toBe(1)
    expect(badLimit.stderr).toContain('gatehouse logs: limit: expected an integer 1..1000')
    expect(badLimit.stderr).not.toMatch(/\n\s+at /)
  })

  it('follows the log: prints records as they arrive, stops on Ctrl-C', async () => {
    const child = spawn(process.execPath, [bin, 'logs', '--follow', '--tenant', 'acme', '--limit', '2'], {
      env,
    })
    let stdout = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const waitFor = (text: string) =>
      withTimeout(
        (async () => {
          while (!stdout.includes(text)) await sleep(50)
        })(),
        8_000,
        `"${text}" in the followed log`,
      )
    try {
      await waitFor('cli-denied')
      expect(stdout).not.toContain('cli-ok-0') // --limit 2: only the last two at start
      await call('cli-live-1')
      await waitFor('cli-live-1')
      await call('cli-live-2')
      await waitFor('cli-live-2')
    } finally {
      child.kill('SIGINT')
    }
    expect(await withTimeout(exited, 8_000, 'logs --follow to exit')).toBe(0)
    const lines = stdout.trimEnd().split('\n')
    expect(lines.map((l) => l.split(/\s+/)[2])).toEqual([
      'REQUEST',
      'cli-ok-2',
      'cli-denied',
      'cli-live-1',
      'cli-live-2',
    ])
    const tenantAt = lines[0]!.indexOf('TENANT')
    for (const line of lines.slice(1)) expect(line.indexOf('acme')).toBe(tenantAt)
  })

  it('prints usage grouped, aligned, with a totals row', async () => {
    const out = await cli([
      'usage',
      '--group-by',
      'tenant,model',
      '--from',
      '2020-01-15',
      '--to',
      '2020-01-16',
    ])
    expect(out.code, out.stderr).toBe(0)
    const lines = out.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(
      /^TENANT\s+MODEL\s+REQUESTS\s+ERRORS\s+IN TOKENS\s+OUT TOKENS\s+COST USD\s+AVG MS\s+FEEDBACK\s+AVG SCORE$/,
    )
    const cells = lines.slice(1).map((l) => l.trim().split(/\s{2,}/))
    expect(cells).toEqual([
      ['globex', 'large', '4', '0', '400', '200', '0.040000', '20.0', '0', '-'],
      ['globex', 'small', '3', '1', '300', '150', '0.030000', '20.0', '0', '-'],
      ['TOTAL', '7', '1', '700', '350', '0.070000', '20.0', '0', '-'],
    ])
    // Numbers are right-aligned: each ends where its header ends.
    for (const header of ['REQUESTS', 'COST USD', 'AVG SCORE']) {
      const end = lines[0]!.indexOf(header) + header.length
      for (const line of lines.slice(1)) expect(line[end - 1], `${header}: ${line}`).not.toBe(' ')
    }
  })

  it('charts cost per hour in aligned bars, empty hours included', async () => {
    const out = await cli([
      'usage',
      '--interval',
      'hour',
      '--from',
      '2020-01-15',
      '--to',
      '2020-01-15T06:00:00Z',
    ])
    expect(out.code, out.stderr).toBe(0)
    const [tableText, chartText] = out.stdout.trimEnd().split('\n\n')
    expect(tableText!.split('\n').at(-1)).toMatch(/^TOTAL\s+7\s+1\s+/)
    const chart = chartText!.split('\n')
    expect(chart[0]).toBe('cost (USD) per hour (UTC)')
    const bars = chart.slice(1)
    expect(bars.map((l) => l.slice(0, 16))).toEqual([0, 1, 2, 3, 4, 5].map((h) => `2020-01-15 0${h}:00`))
    const blocks = bars.map((l) => (l.match(/█/g) ?? []).length)
    expect(blocks).toEqual([20, 0, 40, 10, 0, 0])
    expect(new Set(bars.map((l) => l.length)).size).toBe(1)
    expect(bars[2]!.endsWith('0.040000')).toBe(true)
    const requests = await cli([
      'usage',
      '--interval',
      'hour',
      '--chart',
      'requests',
      '--from',
      '2020-01-15',
      '--to',
      '2020-01-15T06:00:00Z',
    ])
    const lines = requests.stdout.trimEnd().split('\n\n')[1]!.split('\n')
    expect(lines[0]).toBe('requests per hour (UTC)')
    expect(lines.slice(1).map((l) => Number(l.trim().split(/\s+/).at(-1)))).toEqual([2, 0, 4, 1, 0, 0])
  })

  it('prints usage as JSON and refuses a bad group', async () => {
    const json = JSON.parse((await cli(['usage', '--group-by', 'model', '--from', '7d', '--json'])).stdout)
    expect(json.object).toBe('usage')
    // Every live request of this suite; the 2020 history is outside the last 7 days.
    const logged = JSON.parse((await cli(['logs', '--from', '7d', '--json'])).stdout).data
    expect(json.totals.requests).toBe(logged.length)
    expect(json.data.map((r: any) => r.model)).toEqual(['small', null])
    const bad = await cli(['usage', '--group-by', 'colour'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('group_by: "colour" is not one of tenant, key_id, model, route, provider')
  })
})

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
