import { summarizeLatencies } from './latency-summary.js'
import {
  type Failures,
  type LoadResult,
  measureTtfb,
  runLoad,
  sendRequests,
  type TtfbResult,
} from './load.js'
import { type CpuTicks, type MachineTicks, readCpuTicks, readMachineTicks, sampleRss } from './proc-stats.js'
import {
  type GatewayCost,
  type NonStreamingResult,
  OTHER_CPU_NOTICE_PERCENT,
  type PathRun,
  type RoundP50,
  type StreamingResult,
  type TtfbRun,
  type Warmup,
  type WarmupCurve,
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

const PATHS: readonly BenchPath[] = ['direct', 'peer', 'gateway']

/** Load before each slice of a round, not counted: a new pool connects, the first requests settle. */
const SLICE_WARMUP_MS = 250

/**
 * The three paths at one concurrency level. Each path is warmed up once, then measured in
 * `settings.rounds` rounds that run the paths in turn (rotating which goes first): the host's speed
 * drifts over tens of seconds on shared machines, and paths measured minutes apart would compare
 * one period with another. Latencies and CPU time are pooled over the rounds; each round's p50s are
 * kept too, so the report can say how much the figure moved from round to round.
 */
export async function runNonStreaming(
  settings: Settings,
  bench: BenchContext,
  connections: number,
): Promise<NonStreamingResult> {
  const label = `non-streaming @${connections} conn${connections === 1 ? '' : 's'}`
  const sliceMs = (settings.measureS * 1000) / settings.rounds
  bench.progress(
    `${label}: ${settings.warmupS} s warm-up per path, then ${settings.rounds} rounds of ` +
      `${(sliceMs / 1000).toFixed(1)} s per path, in turn`,
  )
  for (const path of PATHS) {
    bench.assertAlive()
    await sendFor(bench, connections, path, settings.warmupS * 1000)
  }
  const slices: Record<BenchPath, Slice[]> = { direct: [], peer: [], gateway: [] }
  const rounds: RoundP50[] = []
  for (let round = 0; round < settings.rounds; round++) {
    for (const path of rotate(PATHS, round))
      slices[path].push(await measureSlice(bench, connections, path, SLICE_WARMUP_MS, sliceMs))
    const p50 = (path: BenchPath) => summarizeLatencies(slices[path][round]!.load.latenciesMs).p50Ms
    const p50s: RoundP50 = { directMs: p50('direct'), peerMs: p50('peer'), gatewayMs: p50('gateway') }
    rounds.push(p50s)
    bench.progress(
      `${label} round ${round + 1}/${settings.rounds}: p50 direct ${p50s.directMs.toFixed(3)}, ` +
        `peer ${p50s.peerMs.toFixed(3)}, gateway ${p50s.gatewayMs.toFixed(3)} ms`,
    )
  }
  const result: NonStreamingResult = {
    connections,
    direct: pooledRun(slices.direct),
    peer: { ...pooledRun(slices.peer), cost: pooledCost(slices.peer) },
    gateway: { ...pooledRun(slices.gateway), cost: pooledCost(slices.gateway) },
    rounds,
  }
  for (const path of PATHS) bench.progress(describe(`${label} ${path}`, result[path]))
  for (const path of ['peer', 'gateway'] as const) {
    const { cost } = result[path]
    bench.progress(
      `  ${path} CPU ${cost.cpuMsPerRequest.toFixed(3)} ms/req (user ${cost.userMsPerRequest.toFixed(3)}, ` +
        `system ${cost.systemMsPerRequest.toFixed(3)}; ${cost.corePercent.toFixed(0)}% of its core), ` +
        `max RSS ${cost.maxRssMb.toFixed(1)} MB`,
    )
  }
  return result
}

/** `items` with its first `by` elements moved to the end. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length
  return [...items.slice(k), ...items.slice(0, k)]
}

/** Connections the steady-state warm-up sends over. */
const WARMUP_CONNECTIONS = 16
/** Requests per point of the warm-up's curve. */
export const WARMUP_WINDOW_REQUESTS = 2_000

/** The p50 of each run of `size` consecutive latencies (a last, partial run included). */
export function p50PerWindow(latenciesMs: readonly number[], size: number): number[] {
  const p50s: number[] = []
  for (let at = 0; at < latenciesMs.length; at += size)
    p50s.push(summarizeLatencies(latenciesMs.slice(at, at + size)).p50Ms)
  return p50s
}

/**
 * Brings every path to its steady state before anything is measured: `settings.warmupRequests`
 * non-streaming requests and a quarter as many streamed ones to each. V8 optimizes the gateway's
 * code through its first several thousand requests; each path's p50 over every
 * `WARMUP_WINDOW_REQUESTS` is kept (and printed) to show where it levels off.
 */
export async function warmUpAll(settings: Settings, bench: BenchContext): Promise<Warmup> {
  if (settings.warmupRequests === 0) return { tallies: [], curves: [] }
  const streamed = Math.round(settings.warmupRequests / 4)
  bench.progress(
    `warm-up to steady state: ${settings.warmupRequests} requests and ${streamed} streamed ones ` +
      `per path, ${WARMUP_CONNECTIONS} connections, not measured`,
  )
  const tallies: Failures[] = []
  const curves: WarmupCurve[] = []
  for (const path of PATHS) {
    bench.assertAlive()
    const origin = originOf(bench, path)
    const common = { origin, path: CHAT_PATH, connections: WARMUP_CONNECTIONS }
    const plain = await sendRequests({ ...common, body: CHAT_BODIES, requests: settings.warmupRequests })
    tallies.push(plain, await sendRequests({ ...common, body: STREAM_BODIES, requests: streamed }))
    const p50sMs = p50PerWindow(plain.latenciesMs, WARMUP_WINDOW_REQUESTS)
    curves.push({ path, p50sMs })
    bench.progress(
      `  ${path}: warmed up; p50 per ${WARMUP_WINDOW_REQUESTS} requests ${p50sMs.map((p) => p.toFixed(2)).join(', ')} ms`,
    )
  }
  return { tallies, curves }
}

/** One window of load on one path, with what the proxy on it and the rest of the machine spent. */
export interface Slice {
  load: LoadResult
  /** CPU time of the proxy on this path (none on the direct path). */
  proxyCpu: { userMs: number; systemMs: number }
  /** CPU other processes took, in ms of one core, over the window. */
  otherCpuMs: number
  stealMs: number
  maxRssKb: number
}

async function measureSlice(
  bench: BenchContext,
  connections: number,
  path: BenchPath,
  warmupMs: number,
  measureMs: number,
): Promise<Slice> {
  bench.assertAlive()
  const proxyPid = path === 'peer' ? bench.peerPid : path === 'gateway' ? bench.gatewayPid : undefined
  const rss = proxyPid === undefined ? undefined : sampleRss(proxyPid, RSS_SAMPLE_INTERVAL_MS)
  const counters: { start?: CpuCounters; end?: CpuCounters } = {}
  let load: LoadResult
  let maxRssKb = 0
  try {
    load = await runLoad({
      origin: originOf(bench, path),
      path: CHAT_PATH,
      body: CHAT_BODIES,
      connections,
      warmupMs,
      measureMs,
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
  } finally {
    maxRssKb = rss?.stop() ?? 0
  }
  bench.assertAlive()
  const usage = cpuUsage(counters.start!, counters.end!, bench.clockTicksPerS)
  return {
    load,
    proxyCpu:
      path === 'peer' ? usage.peerCpu : path === 'gateway' ? usage.gatewayCpu : { userMs: 0, systemMs: 0 },
    otherCpuMs: usage.otherCpuMs,
    stealMs: usage.stealMs,
    maxRssKb,
  }
}

/** Load on one path for `ms`, nothing measured: connections opened and pools grown at this level. */
async function sendFor(bench: BenchContext, connections: number, path: BenchPath, ms: number): Promise<void> {
  await runLoad({
    origin: originOf(bench, path),
    path: CHAT_PATH,
    body: CHAT_BODIES,
    connections,
    warmupMs: ms,
    measureMs: 0,
  }).catch((err: unknown) => {
    bench.assertAlive()
    throw err
  })
}

/** The slices of one path as one run: latencies, requests and windows added up. */
export function pooledRun(slices: readonly Slice[]): PathRun {
  const windowMs = sum(slices.map((s) => s.load.windowMs))
  const requests = sum(slices.map((s) => s.load.requests))
  const percent = (ms: number) => (windowMs === 0 ? Number.NaN : (ms / windowMs) * 100)
  return {
    requests,
    attempts: sum(slices.map((s) => s.load.attempts)),
    failures: sum(slices.map((s) => s.load.failures)),
    failureSamples: slices.flatMap((s) => s.load.samples).slice(0, 5),
    windowMs,
    reqPerS: windowMs === 0 ? 0 : requests / (windowMs / 1000),
    latency: summarizeLatencies(slices.flatMap((s) => s.load.latenciesMs)),
    machine: {
      otherCpuPercent: percent(sum(slices.map((s) => s.otherCpuMs))),
      stealPercent: percent(sum(slices.map((s) => s.stealMs))),
    },
  }
}

/** What the proxy on a path spent over all its slices. */
export function pooledCost(slices: readonly Slice[]): GatewayCost {
  const requests = sum(slices.map((s) => s.load.requests))
  const windowMs = sum(slices.map((s) => s.load.windowMs))
  const userMs = sum(slices.map((s) => s.proxyCpu.userMs))
  const systemMs = sum(slices.map((s) => s.proxyCpu.systemMs))
  const perRequest = (ms: number) => (requests === 0 ? Number.NaN : ms / requests)
  return {
    cpuMs: userMs + systemMs,
    cpuMsPerRequest: perRequest(userMs + systemMs),
    userMsPerRequest: perRequest(userMs),
    systemMsPerRequest: perRequest(systemMs),
    corePercent: windowMs === 0 ? Number.NaN : ((userMs + systemMs) / windowMs) * 100,
    maxRssMb: Math.max(0, ...slices.map((s) => s.maxRssKb)) / 1024,
  }
}

const sum = (values: readonly number[]): number => values.reduce((total, v) => total + v, 0)

function describe(name: string, run: PathRun): string {
  return (
    `${name}: ${Math.round(run.reqPerS)} req/s, p50 ${run.latency.p50Ms.toFixed(3)} ms, ` +
    `p99 ${run.latency.p99Ms.toFixed(3)} ms, ${run.failures} failed of ${run.attempts}` +
    (run.machine.otherCpuPercent >= OTHER_CPU_NOTICE_PERCENT
      ? `; other processes used ${run.machine.otherCpuPercent.toFixed(0)}% of a core meanwhile`
      : '')
  )
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
 * The proxies' CPU time in the window, and how much CPU the rest of the machine took meanwhile:
 * another program on the gateway's core shows up as latency the gateway did not cause.
 */
function cpuUsage(start: CpuCounters, end: CpuCounters, ticksPerS: number) {
  const ms = (ticks: number) => (ticks * 1000) / ticksPerS
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
    otherCpuMs: Math.max(0, ms(end.machine.busy - start.machine.busy - ours)),
    stealMs: ms(end.machine.steal - start.machine.steal),
  }
}

/**
 * Streaming time to first byte on one path after another, in the same rounds as the non-streaming
 * scenarios: `settings.ttfbRequests` per path in all, after a warm-up per path.
 */
export async function runTtfb(settings: Settings, bench: BenchContext): Promise<StreamingResult> {
  const perRound = Math.max(1, Math.round(settings.ttfbRequests / settings.rounds))
  bench.progress(
    `streaming TTFB @1 conn: ${settings.ttfbWarmupRequests} warm-up requests per path, then ` +
      `${settings.rounds} rounds of ${perRound} per path, in turn`,
  )
  const results: Record<BenchPath, TtfbResult[]> = { direct: [], peer: [], gateway: [] }
  for (const path of PATHS) await ttfbSlice(bench, path, settings.ttfbWarmupRequests, 1)
  for (let round = 0; round < settings.rounds; round++) {
    for (const path of rotate(PATHS, round))
      results[path].push(await ttfbSlice(bench, path, TTFB_SLICE_WARMUP_REQUESTS, perRound))
  }
  const pooled = (path: BenchPath): TtfbRun => {
    const slices = results[path]
    const ttfbMs = slices.flatMap((s) => s.ttfbMs)
    return {
      requests: ttfbMs.length,
      attempts: sum(slices.map((s) => s.attempts)),
      failures: sum(slices.map((s) => s.failures)),
      failureSamples: slices.flatMap((s) => s.samples).slice(0, 5),
      ttfb: summarizeLatencies(ttfbMs),
    }
  }
  const streaming: StreamingResult = {
    connections: 1,
    direct: pooled('direct'),
    peer: pooled('peer'),
    gateway: pooled('gateway'),
  }
  for (const path of PATHS) {
    const run = streaming[path]
    bench.progress(
      `streaming TTFB ${path} @1 conn: p50 ${run.ttfb.p50Ms.toFixed(3)} ms, p99 ${run.ttfb.p99Ms.toFixed(3)} ms, ` +
        `${run.failures} failed of ${run.attempts}`,
    )
  }
  return streaming
}

/** Requests before each round's slice, not counted (a new pool connects). */
const TTFB_SLICE_WARMUP_REQUESTS = 5

async function ttfbSlice(
  bench: BenchContext,
  path: BenchPath,
  warmupRequests: number,
  requests: number,
): Promise<TtfbResult> {
  bench.assertAlive()
  return measureTtfb({
    origin: originOf(bench, path),
    path: CHAT_PATH,
    body: STREAM_BODIES,
    warmupRequests,
    requests,
  })
}
