import { summarizeLatencies } from './latency-summary.js'
import { type LoadResult, measureTtfb, runLoad } from './load.js'
import { type CpuTicks, type MachineTicks, readCpuTicks, readMachineTicks, sampleRss } from './proc-stats.js'
import {
  type GatewayCost,
  type NonStreamingResult,
  OTHER_CPU_NOTICE_PERCENT,
  type PathRun,
  type TtfbRun,
} from './results.js'
import type { Settings } from './settings.js'

/** The measurements: each scenario once against the fake upstream directly, once through the gateway. */

export const CHAT_PATH = '/v1/chat/completions'

/**
 * A typical prompt of about 1 KB, with the personal data a support request carries (a name, an
 * email, a phone number), so the data-protection path (scan, pseudonymize, restore) is measured.
 * Each request carries different values (PROMPT_VARIANTS prompts sent in turn), as real traffic
 * does: nothing can be served from a cache of the previous request's findings.
 */
const userPrompt = (i: number): string => {
  const first = FIRST_NAMES[i % FIRST_NAMES.length]!
  const last = LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length]!
  // French mobile numbers 06 10 00 00 00 + i: valid, distinct.
  const phone = String(610_000_000 + i).replace(/^(\d)(\d{2})(\d{2})(\d{2})(\d{2})$/, '+33 $1 $2 $3 $4 $5')
  return [
    `Hello, my name is ${first} ${last} and I need help with my last invoice.`,
    'I was charged twice for the March subscription of the team plan, once on the 3rd and again on the 5th,',
    'and the second payment does not appear in the billing history of our workspace.',
    'Could you check what happened and tell me whether the duplicate will be refunded automatically',
    'or whether I need to open a ticket with the finance team? If a refund is needed, please explain',
    'how long it usually takes and whether it goes back to the same card or to our account balance.',
    `You can reach me at ${first.toLowerCase()}.${last.toLowerCase()}${i}@example.com or on ${phone} during office hours.`,
    'Also, we plan to add five seats next month: will the new seats be prorated for the current period,',
    'and can the invoice show our purchase order number so that our accounting team can match it?',
    'Please answer briefly, in plain language, with the steps I should follow. Thank you!',
  ].join(' ')
}
const FIRST_NAMES = [
  'Claire',
  'Lukas',
  'Marta',
  'Giulia',
  'Pieter',
  'Emma',
  'Oliver',
  'Sofia',
  'Hugo',
  'Anna',
]
const LAST_NAMES = ['Martin', 'Schmidt', 'Garcia', 'Rossi', 'Jansen', 'Dubois', 'Smith', 'Peeters', 'Bernard']
const PROMPT_VARIANTS = 20_000
const SYSTEM = {
  role: 'system',
  content: 'You are a helpful assistant for billing questions. Be concise and accurate.',
}
// BENCH_PROMPT=short: the two-word prompt of earlier runs, to compare with their figures.
const isShort = process.env['BENCH_PROMPT'] === 'short'
const messages = (i: number) =>
  isShort
    ? [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'Say hello.' },
      ]
    : [SYSTEM, { role: 'user', content: userPrompt(i) }]

/** A typical non-streaming request (about 1 KB), as distinct bodies sent in turn. */
export const CHAT_BODIES: readonly string[] = Array.from({ length: PROMPT_VARIANTS }, (_, i) =>
  JSON.stringify({ model: 'bench-model', messages: messages(i), max_tokens: 32 }),
)
export const CHAT_BODY = CHAT_BODIES[0]!
/** The same requests streamed, with usage (the gateway asks for usage upstream anyway). */
export const STREAM_BODIES: readonly string[] = Array.from({ length: PROMPT_VARIANTS }, (_, i) =>
  JSON.stringify({
    model: 'bench-model',
    messages: messages(i),
    max_tokens: 32,
    stream: true,
    stream_options: { include_usage: true },
  }),
)
export const STREAM_BODY = STREAM_BODIES[0]!

const RSS_SAMPLE_INTERVAL_MS = 100

/** Where a scenario sends its load: the fake upstream itself, the bare proxy peer, or the gateway. */
export type BenchPath = 'direct' | 'peer' | 'gateway'

export interface BenchContext {
  upstreamOrigin: string
  peerOrigin: string
  gatewayOrigin: string
  peerPid: number
  gatewayPid: number
  upstreamPid: number
  clockTicksPerS: number
  /** Throws if a child process has died, so a crash is not reported as slowness. */
  assertAlive(): void
  progress(message: string): void
}

const originOf = (bench: BenchContext, path: BenchPath): string =>
  path === 'direct' ? bench.upstreamOrigin : path === 'peer' ? bench.peerOrigin : bench.gatewayOrigin

export async function runNonStreaming(
  settings: Settings,
  bench: BenchContext,
  connections: number,
): Promise<NonStreamingResult> {
  const { run: direct } = await runPath(settings, bench, connections, 'direct')
  const peer = await runProxied(settings, bench, connections, 'peer')
  const gateway = await runProxied(settings, bench, connections, 'gateway')
  return { connections, direct, peer, gateway }
}

/** A path through a proxy (the peer or the gateway), with what its process spent on it. */
async function runProxied(
  settings: Settings,
  bench: BenchContext,
  connections: number,
  path: 'peer' | 'gateway',
): Promise<PathRun & { cost: GatewayCost }> {
  bench.assertAlive()
  const rss = sampleRss(path === 'peer' ? bench.peerPid : bench.gatewayPid, RSS_SAMPLE_INTERVAL_MS)
  let measured: Awaited<ReturnType<typeof runPath>>
  let maxRssKb: number
  try {
    measured = await runPath(settings, bench, connections, path)
  } finally {
    maxRssKb = rss.stop()
  }
  bench.assertAlive()
  const { run, proxyCpu } = measured
  const perRequest = (ms: number) => (run.requests === 0 ? Number.NaN : ms / run.requests)
  const cpuMs = proxyCpu.userMs + proxyCpu.systemMs
  const cost: GatewayCost = {
    cpuMs,
    cpuMsPerRequest: perRequest(cpuMs),
    userMsPerRequest: perRequest(proxyCpu.userMs),
    systemMsPerRequest: perRequest(proxyCpu.systemMs),
    corePercent: run.windowMs === 0 ? Number.NaN : (cpuMs / run.windowMs) * 100,
    maxRssMb: maxRssKb / 1024,
  }
  bench.progress(
    `  ${path} CPU ${cost.cpuMsPerRequest.toFixed(3)} ms/req (user ${cost.userMsPerRequest.toFixed(3)}, ` +
      `system ${cost.systemMsPerRequest.toFixed(3)}; ${cost.corePercent.toFixed(0)}% of its core), ` +
      `max RSS ${cost.maxRssMb.toFixed(1)} MB`,
  )
  return { ...run, cost }
}

async function runPath(settings: Settings, bench: BenchContext, connections: number, path: BenchPath) {
  const name = `non-streaming ${path} @${connections} conn${connections === 1 ? '' : 's'}`
  bench.progress(`${name}: start (${settings.warmupS} s warm-up + ${settings.measureS} s measured)`)
  const counters: { start?: CpuCounters; end?: CpuCounters } = {}
  const load = await runLoad({
    origin: originOf(bench, path),
    path: CHAT_PATH,
    body: CHAT_BODIES,
    connections,
    warmupMs: settings.warmupS * 1000,
    measureMs: settings.measureS * 1000,
    onWindowStart: () => {
      counters.start = readCpuCounters(bench)
    },
    onWindowEnd: () => {
      counters.end = readCpuCounters(bench)
    },
  }).catch((err: unknown) => {
    bench.assertAlive()
    throw err
  })
  const usage = cpuUsage(counters.start!, counters.end!, load.windowMs, bench.clockTicksPerS)
  const run: PathRun = { ...toPathRun(load), machine: usage.machine }
  bench.progress(
    `${name}: done, ${Math.round(run.reqPerS)} req/s, p50 ${run.latency.p50Ms.toFixed(3)} ms, ` +
      `p99 ${run.latency.p99Ms.toFixed(3)} ms, ${run.failures} failed of ${run.attempts}` +
      (usage.machine.otherCpuPercent >= OTHER_CPU_NOTICE_PERCENT
        ? `; other processes used ${usage.machine.otherCpuPercent.toFixed(0)}% of a core meanwhile`
        : ''),
  )
  return { run, proxyCpu: path === 'peer' ? usage.peerCpu : usage.gatewayCpu }
}

/** Clock ticks of our four processes and of the whole machine, at one instant. */
interface CpuCounters {
  machine: MachineTicks
  gateway: CpuTicks
  peer: CpuTicks
  upstream: CpuTicks
  self: CpuTicks
}

function readCpuCounters(bench: BenchContext): CpuCounters {
  return {
    machine: readMachineTicks(),
    gateway: readCpuTicks(bench.gatewayPid),
    peer: readCpuTicks(bench.peerPid),
    upstream: readCpuTicks(bench.upstreamPid),
    self: readCpuTicks(process.pid),
  }
}

/**
 * The gateway's CPU time in the window, and how much CPU the rest of the machine took meanwhile:
 * another program on the gateway's core shows up as latency the gateway did not cause.
 */
function cpuUsage(start: CpuCounters, end: CpuCounters, windowMs: number, ticksPerS: number) {
  const ms = (ticks: number) => (ticks * 1000) / ticksPerS
  const percent = (ticks: number) => (windowMs === 0 ? Number.NaN : (ms(ticks) / windowMs) * 100)
  const used = (key: 'gateway' | 'peer' | 'upstream' | 'self') =>
    end[key].user - start[key].user + (end[key].system - start[key].system)
  const ours = used('gateway') + used('peer') + used('upstream') + used('self')
  const cpuOf = (key: 'gateway' | 'peer') => ({
    userMs: ms(end[key].user - start[key].user),
    systemMs: ms(end[key].system - start[key].system),
  })
  return {
    gatewayCpu: cpuOf('gateway'),
    peerCpu: cpuOf('peer'),
    machine: {
      otherCpuPercent: Math.max(0, percent(end.machine.busy - start.machine.busy - ours)),
      stealPercent: percent(end.machine.steal - start.machine.steal),
    },
  }
}

export async function runTtfb(settings: Settings, bench: BenchContext, path: BenchPath): Promise<TtfbRun> {
  bench.assertAlive()
  const name = `streaming TTFB ${path} @1 conn`
  bench.progress(
    `${name}: start (${settings.ttfbWarmupRequests} warm-up + ${settings.ttfbRequests} measured)`,
  )
  const result = await measureTtfb({
    origin: originOf(bench, path),
    path: CHAT_PATH,
    body: STREAM_BODIES,
    warmupRequests: settings.ttfbWarmupRequests,
    requests: settings.ttfbRequests,
  })
  const ttfb = summarizeLatencies(result.ttfbMs)
  bench.progress(
    `${name}: done, p50 ${ttfb.p50Ms.toFixed(3)} ms, p99 ${ttfb.p99Ms.toFixed(3)} ms, ` +
      `${result.failures} failed of ${result.attempts}`,
  )
  return {
    requests: result.ttfbMs.length,
    attempts: result.attempts,
    failures: result.failures,
    failureSamples: result.samples,
    ttfb,
  }
}

function toPathRun(load: LoadResult): Omit<PathRun, 'machine'> {
  return {
    requests: load.requests,
    attempts: load.attempts,
    failures: load.failures,
    failureSamples: load.samples,
    windowMs: load.windowMs,
    reqPerS: load.windowMs === 0 ? 0 : load.requests / (load.windowMs / 1000),
    latency: summarizeLatencies(load.latenciesMs),
  }
}
