import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderChartSvg } from './chart-svg.js'
import {
  type ChildSupervisor,
  canPin,
  createChildSupervisor,
  type PinnedProcess,
  pinSelf,
} from './child-supervisor.js'
import { BENCH_KEY, probe } from './load.js'
import { clockTicksPerSecond, programName, readMemoryKb } from './proc-stats.js'
import { formatReport } from './report.js'
import {
  type BenchResults,
  beyondPeer,
  checkTargets,
  findInvalidReasons,
  type NonStreamingResult,
  warmupFailureReasons,
} from './results.js'
import {
  type BenchContext,
  CHAT_BODY,
  CHAT_PATH,
  runNonStreaming,
  runTtfb,
  STREAM_BODY,
  warmUpAll,
} from './scenarios.js'
import { type Settings, settingsFrom, USAGE, UsageError } from './settings.js'

/**
 * `npm run bench`: a fast local fake upstream, then each scenario direct, through a bare Node.js
 * proxy (the peer: what one more hop costs on this machine) and through the gateway. The gateway
 * and the peer run pinned to core 1, the fake upstream and this load generator to core 0, so the
 * load generator never competes with them for their core. Writes bench/results/latest.{json,svg}.
 */

// dist/bench/run.js -> the repository root.
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const RESULTS_DIR = join(ROOT, 'bench', 'results')
const GATEWAY_CORE = 1
const LOAD_CORE = 0

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`npm run bench: the gateway vs a fake upstream, direct and through it.\n${USAGE}\n`)
    return 0
  }
  const settings = settingsFrom(process.env)
  const isPinned = canPin()
  const supervisor = createChildSupervisor(isPinned)
  const workDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'))
  cleanUpOnExit(supervisor, workDir)
  try {
    if (isPinned) pinSelf(LOAD_CORE)
    else progress('taskset or a second core is missing: running UNPINNED, numbers are less comparable')
    const bench = await startProcesses(supervisor, settings, workDir)
    await checkWiring(bench)
    const results = await measure(settings, bench, isPinned)
    process.stdout.write(`${formatReport(results)}\n`)
    writeResults(results)
    // The gateway writes its CPU profile as it exits.
    await supervisor.stopAll()
    if (settings.isProfiling) reportProfiles(bench.gatewayPid)
    return results.isValid ? 0 : 1
  } finally {
    await supervisor.stopAll()
  }
}

async function startProcesses(
  supervisor: ChildSupervisor,
  settings: Settings,
  workDir: string,
): Promise<BenchContext> {
  const upstream = await supervisor.start({
    name: 'fake upstream',
    core: LOAD_CORE,
    command: process.execPath,
    args: [join(ROOT, 'dist', 'bench', 'fake-upstream-process.js')],
    ready: /listening on 127\.0\.0\.1:(\d+)/,
  })
  const upstreamOrigin = `http://127.0.0.1:${upstream.ready[1]}`
  progress(`fake upstream on ${upstreamOrigin} (pid ${upstream.pid})`)

  const configPath = join(workDir, 'gatehouse.yaml')
  writeFileSync(configPath, gatewayConfig(upstreamOrigin, join(workDir, 'gatehouse.db'), settings.pipeline))
  const profiling = settings.isProfiling
    ? ['--cpu-prof', '--cpu-prof-dir', join(RESULTS_DIR, 'profiles')]
    : []
  const gateway = await supervisor.start({
    name: 'gateway',
    core: GATEWAY_CORE,
    command: process.execPath,
    args: [
      ...profiling,
      ...(process.env['BENCH_NODE_FLAGS'] ? process.env['BENCH_NODE_FLAGS'].split(' ') : []),
      join(ROOT, 'bin', 'gatehouse.js'),
      'serve',
      '--config',
      configPath,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
    ],
    ready: /gatehouse listening on (http:\/\/127\.0\.0\.1:\d+)/,
  })
  // taskset execs node in place; if it did not, /proc/<pid> would describe taskset, not the gateway.
  if (programName(gateway.pid) === 'taskset')
    throw new Error(`pid ${gateway.pid} is taskset, not the gateway`)
  progress(`gateway on ${gateway.ready[1]} (pid ${gateway.pid})`)
  // The peer: a bare Node.js proxy on the gateway's core, to tell what one more hop costs here.
  const peer = await supervisor.start({
    name: 'bare proxy',
    core: GATEWAY_CORE,
    command: process.execPath,
    args: [join(ROOT, 'dist', 'bench', 'bare-proxy-process.js'), upstreamOrigin, String(settings.peerWorkUs)],
    ready: /bare proxy listening on 127\.0\.0\.1:(\d+)/,
  })
  const peerOrigin = `http://127.0.0.1:${peer.ready[1]}`
  progress(`bare proxy on ${peerOrigin} (pid ${peer.pid})`)
  return {
    upstreamOrigin,
    peerOrigin,
    gatewayOrigin: gateway.ready[1]!,
    peerPid: peer.pid,
    gatewayPid: gateway.pid,
    upstreamPid: upstream.pid,
    clockTicksPerS: clockTicksPerSecond(),
    assertAlive: () => {
      assertAlive('fake upstream', upstream)
      assertAlive('bare proxy', peer)
      assertAlive('gateway', gateway)
    },
    progress,
  }
}

function gatewayConfig(upstreamOrigin: string, storePath: string, pipeline: Settings['pipeline']): string {
  return [
    'server: { host: 127.0.0.1, port: 0, shutdown_timeout_ms: 1000 }',
    'providers:',
    `  upstream: { kind: openai-compatible, base_url: ${upstreamOrigin}/v1 }`,
    `  backup: { kind: openai-compatible, base_url: ${upstreamOrigin}/v1 }`,
    'models:',
    '  bench-primary: { provider: upstream, model: bench-model, context_window: 128000, price: { input: 0.15, output: 0.6 } }',
    '  bench-backup: { provider: backup, model: bench-model, context_window: 128000, price: { input: 0.15, output: 0.6 } }',
    '  bench-onprem: { provider: upstream, model: bench-model }',
    // The full routing path: a rule evaluated on every request (it does not match), a route
    // with fallback, retries, a breaker and a context-window check on each target.
    'routes:',
    '  bench-model: { strategy: fallback, targets: [bench-primary, bench-backup] }',
    '  onprem: { targets: [bench-onprem] }',
    'rules:',
    '  - { name: sensitive-onprem, when: { min_sensitivity: restricted }, route: onprem }',
    // The default log level is info; warn keeps per-request log lines out of the measurement, as
    // a quiet production deployment would. Every request is recorded in the embedded store, as
    // by default; BENCH_REQUEST_LOG=0 turns that off to measure what it costs.
    `store: { url: "sqlite:${storePath}" }`,
    ...accessConfig(pipeline.access),
    `logging: { level: warn, request_log: ${pipeline.requestLog} }`,
    // Data protection as by default (the upstream is external: the prompt's email and phone are
    // pseudonymized and restored); BENCH_PROTECT=0 turns it off to measure what it costs.
    `protect: { enabled: ${pipeline.protect} }`,
    // BENCH_TRACING=1: a span per request and per attempt, exported to the fake upstream.
    `tracing: { enabled: ${pipeline.tracing}, otlp_endpoint: ${upstreamOrigin}/v1/traces }`,
    '',
  ].join('\n')
}

/**
 * Auth, limits and metering on, as in production: a key with its own limits and budget, in a
 * tenant with shared limits and a budget, a global limit, prices, the loop guard (default).
 * BENCH_ACCESS=0 turns them off (auth: none) to measure what they cost.
 */
function accessConfig(isOn: boolean): string[] {
  if (!isOn) return ['auth: { mode: none }', 'loop_guard: { enabled: false }']
  return [
    'auth: { mode: keys }',
    `keys: [{ name: bench, tenant: bench, key: "${BENCH_KEY}", limits: { rpm: 100000000, tpm: 100000000000, concurrency: 100000 }, budget: { daily_usd: 1000000, monthly_usd: 10000000 } }]`,
    'tenants:',
    '  bench: { limits: { rpm: 100000000, tpm: 100000000000, concurrency: 100000 }, budget: { daily_usd: 1000000 } }',
    'limits: { global: { rpm: 1000000000 } }',
  ]
}

/** One request of each kind before any load: a broken path would otherwise benchmark its errors. */
async function checkWiring(bench: BenchContext): Promise<void> {
  const peer = await probe(bench.peerOrigin, CHAT_PATH, STREAM_BODY)
  expect(peer.status === 200 && peer.text.endsWith('data: [DONE]\n\n'), 'bare proxy, streaming', peer)
  const direct = await probe(bench.upstreamOrigin, CHAT_PATH, CHAT_BODY)
  expect(
    direct.status === 200 && direct.text.includes('"chat.completion"'),
    'fake upstream, non-streaming',
    direct,
  )
  const chat = await probe(bench.gatewayOrigin, CHAT_PATH, CHAT_BODY)
  expect(chat.status === 200 && chat.text.includes('"chat.completion"'), 'gateway, non-streaming', chat)
  expect(
    typeof chat.headers['x-gatehouse-request-id'] === 'string',
    'gateway x-gatehouse-request-id header',
    chat,
  )
  const stream = await probe(bench.gatewayOrigin, CHAT_PATH, STREAM_BODY)
  expect(
    stream.status === 200 && stream.text.includes('"choices":[]') && stream.text.endsWith('data: [DONE]\n\n'),
    'gateway, streaming with usage',
    stream,
  )
}

function expect(isOk: boolean, what: string, answer: { status: number; text: string }): void {
  if (!isOk)
    throw new Error(`wiring check failed: ${what}: HTTP ${answer.status} ${answer.text.slice(0, 500)}`)
}

async function measure(settings: Settings, bench: BenchContext, isPinned: boolean): Promise<BenchResults> {
  const startedAt = new Date().toISOString()
  const warmup = await warmUpAll(settings, bench)
  const nonStreaming: NonStreamingResult[] = []
  for (const connections of settings.connections) {
    nonStreaming.push(await runNonStreaming(settings, bench, connections))
  }
  const streaming = await runTtfb(settings, bench)
  const memory = {
    maxRssMb:
      nonStreaming.length === 0 ? Number.NaN : Math.max(...nonStreaming.map((r) => r.gateway.cost.maxRssMb)),
    hwmMb: readMemoryKb(bench.gatewayPid).hwmKb / 1024,
  }
  const partial = {
    startedAt,
    node: process.version,
    isPinned,
    placement: isPinned
      ? `Placement: gateway and bare proxy peer pinned to core ${GATEWAY_CORE} (taskset), measured one at a time (the paths in turn, round after round); fake upstream and load generator on core ${LOAD_CORE}.`
      : 'Placement: UNPINNED (taskset or a second core missing); gateway, upstream and load share all cores.',
    clockTicksPerS: bench.clockTicksPerS,
    settings: { ...settings },
    warmupCurves: warmup.curves,
    nonStreaming,
    streaming,
    memory,
  }
  const invalidReasons = [...warmupFailureReasons(warmup.tallies), ...findInvalidReasons(partial)]
  return {
    ...partial,
    beyondPeer: beyondPeer(partial),
    targets: checkTargets(partial),
    isValid: invalidReasons.length === 0,
    invalidReasons,
  }
}

function writeResults(results: BenchResults): void {
  mkdirSync(RESULTS_DIR, { recursive: true })
  writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`)
  writeFileSync(join(RESULTS_DIR, 'latest.svg'), renderChartSvg(results))
  progress(`wrote ${join(RESULTS_DIR, 'latest.json')} and latest.svg`)
}

function reportProfiles(gatewayPid: number): void {
  const dir = join(RESULTS_DIR, 'profiles')
  // Node names profiles CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; older runs' stay beside them.
  const files = readdirSync(dir).filter((f) => f.includes(`.${gatewayPid}.`) && f.endsWith('.cpuprofile'))
  progress(
    `gateway CPU profiles in ${dir}: ${files.join(', ')} (summarize: node dist/bench/profile-top.js FILE)`,
  )
}

function assertAlive(name: string, child: PinnedProcess): void {
  const reason = child.exitReason()
  if (reason) throw new Error(`the ${name} ${reason}; its output:\n${child.outputTail()}`)
}

/** Children and temp files must not outlive the benchmark, however it ends: normally, by Ctrl-C, or by a crash. */
function cleanUpOnExit(supervisor: ChildSupervisor, workDir: string): void {
  process.on('exit', () => {
    supervisor.killAllNow()
    rmSync(workDir, { recursive: true, force: true })
  })
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      progress(`${signal}: stopping the gateway and the fake upstream`)
      void supervisor.stopAll(1_000).finally(() => process.exit(code))
    })
  }
  process.on('uncaughtException', (err) => {
    progress(`crashed: ${err.stack ?? err.message}`)
    process.exit(1)
  })
}

function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`)
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const detail = err instanceof UsageError ? err.message : err instanceof Error ? err.stack : String(err)
    progress(`failed: ${detail}`)
    process.exit(1)
  },
)
