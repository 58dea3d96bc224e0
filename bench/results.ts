import type { LatencySummary } from './latency-summary.js'
import type { Failures } from './load.js'
import type { Settings } from './settings.js'

/** The benchmark's results, as printed and as written to bench/results/latest.json. */

export interface PathRun {
  /** Successful requests completed in the measured window. */
  requests: number
  attempts: number
  failures: number
  failureSamples: string[]
  windowMs: number
  reqPerS: number
  latency: LatencySummary
  machine: MachineLoad
}

/** What the rest of the machine did during a measured window, in % of one core. */
export interface MachineLoad {
  /** CPU used by processes other than the gateway, the fake upstream and the load generator. */
  otherCpuPercent: number
  /** CPU the hypervisor gave to other guests while ours wanted it. */
  stealPercent: number
}

/** What a proxy process (the gateway, or the bare proxy peer) spent on a measured window. */
export interface GatewayCost {
  /** utime + stime of the process over the measured window. */
  cpuMs: number
  cpuMsPerRequest: number
  userMsPerRequest: number
  systemMsPerRequest: number
  /** Share of its one core the gateway used: 100% means the gateway is the bottleneck. */
  corePercent: number
  maxRssMb: number
}

export interface NonStreamingResult {
  connections: number
  direct: PathRun
  /** The bare Node.js proxy (bench/bare-proxy.ts): what one more hop costs on this machine. */
  peer: PathRun & { cost: GatewayCost }
  gateway: PathRun & { cost: GatewayCost }
  /** Each round's p50 per path (the paths run in turn in every round). */
  rounds: RoundP50[]
}

/** What the steady-state warm-up sent, and how each path's p50 moved while it did. */
export interface Warmup {
  tallies: Failures[]
  curves: WarmupCurve[]
}

/** A path's p50 over each `WARMUP_WINDOW_REQUESTS` warm-up requests (16 connections), in order. */
export interface WarmupCurve {
  path: 'direct' | 'peer' | 'gateway'
  p50sMs: number[]
}

export interface RoundP50 {
  directMs: number
  peerMs: number
  gatewayMs: number
}

export interface StreamingResult {
  connections: 1
  direct: TtfbRun
  peer: TtfbRun
  gateway: TtfbRun
}

export interface TtfbRun {
  requests: number
  attempts: number
  failures: number
  failureSamples: string[]
  ttfb: LatencySummary
}

export interface TargetCheck {
  /** Which figure: what the chart and anything else reading the results look it up by. */
  id: 'cpu' | 'p50' | 'ttfb' | 'rss'
  /** Which budget the check belongs to (see `checkTargets`). */
  group: string
  name: string
  measured: number
  limit: number
  unit: 'ms' | 'MB'
  isPass: boolean
}

export interface BenchResults {
  startedAt: string
  node: string
  isPinned: boolean
  placement: string
  clockTicksPerS: number
  settings: Settings
  warmupCurves: WarmupCurve[]
  nonStreaming: NonStreamingResult[]
  streaming: StreamingResult
  memory: { maxRssMb: number; hwmMb: number }
  /** Each added figure split into one bare Node.js hop and the gateway beyond it. */
  beyondPeer: ReturnType<typeof beyondPeer>
  targets: TargetCheck[]
  isValid: boolean
  invalidReasons: string[]
}

/** Other programs' CPU use, in % of one core, worth a warning next to a measurement. */
export const OTHER_CPU_NOTICE_PERCENT = 5

/** Above this share of failed requests a run measures failures, not the gateway. */
export const MAX_FAILURE_RATIO = 0.01

/**
 * The targets that apply to what was measured. The core path (BENCH_ACCESS=0 BENCH_REQUEST_LOG=0
 * BENCH_PROTECT=0: parse, route, call, answer) has the gateway core issue's targets; with any of
 * keys and limits, the request log or data protection on (the default), the full-pipeline budget
 * of the routing, observability and data-protection issues applies. Both are absolute; the
 * figures beyond the bare proxy peer say how much of them the gateway's own work takes.
 */
export function checkTargets(
  results: Omit<BenchResults, 'beyondPeer' | 'targets' | 'isValid' | 'invalidReasons'>,
) {
  const at = (connections: number) => results.nonStreaming.find((r) => r.connections === connections)
  const at1 = at(1)
  const at16 = at(16)
  const { direct, gateway } = results.streaming
  const { pipeline } = results.settings
  const isCore = !pipeline.access && !pipeline.requestLog && !pipeline.protect
  const group = isCore ? 'core path' : 'full pipeline'
  const limits = isCore ? { cpuMs: 0.25, p50Ms: 0.25 } : { cpuMs: 0.4, p50Ms: 0.4 }
  const check = (
    id: TargetCheck['id'],
    name: string,
    measured: number | undefined,
    limit: number,
    unit: 'ms' | 'MB',
  ) => ({
    id,
    group,
    name,
    measured: measured ?? Number.NaN,
    limit,
    unit,
    // NaN (not measured) fails.
    isPass: measured !== undefined && measured <= limit,
  })
  const checks: TargetCheck[] = [
    check(
      'cpu',
      'gateway CPU time per non-streaming request @16 conns',
      at16?.gateway.cost.cpuMsPerRequest,
      limits.cpuMs,
      'ms',
    ),
    check(
      'p50',
      'added p50 latency @1 conn',
      at1 && at1.gateway.latency.p50Ms - at1.direct.latency.p50Ms,
      limits.p50Ms,
      'ms',
    ),
    check('ttfb', 'added time to first streamed byte (p50)', gateway.ttfb.p50Ms - direct.ttfb.p50Ms, 1, 'ms'),
  ]
  if (isCore)
    checks.push(check('rss', 'gateway RSS under load (max VmRSS)', results.memory.maxRssMb, 120, 'MB'))
  return checks
}

/** The same latencies measured from the bare proxy instead of the fake upstream: the gateway's own share. */
export function beyondPeer(results: Pick<BenchResults, 'nonStreaming' | 'streaming'>) {
  const at1 = results.nonStreaming.find((r) => r.connections === 1)
  const at16 = results.nonStreaming.find((r) => r.connections === 16)
  const { direct, peer, gateway } = results.streaming
  return {
    peerAddedP50Ms: at1 ? at1.peer.latency.p50Ms - at1.direct.latency.p50Ms : Number.NaN,
    gatewayBeyondPeerP50Ms: at1 ? at1.gateway.latency.p50Ms - at1.peer.latency.p50Ms : Number.NaN,
    peerAddedTtfbMs: peer.ttfb.p50Ms - direct.ttfb.p50Ms,
    gatewayBeyondPeerTtfbMs: gateway.ttfb.p50Ms - peer.ttfb.p50Ms,
    peerCpuMs16: at16 ? at16.peer.cost.cpuMsPerRequest : Number.NaN,
    gatewayBeyondPeerCpuMs16: at16
      ? at16.gateway.cost.cpuMsPerRequest - at16.peer.cost.cpuMsPerRequest
      : Number.NaN,
  }
}

/** A warm-up that mostly failed warmed up the error path, not the one measured. */
export function warmupFailureReasons(tallies: readonly Failures[]): string[] {
  const attempts = tallies.reduce((total, t) => total + t.attempts, 0)
  const failures = tallies.reduce((total, t) => total + t.failures, 0)
  if (attempts === 0 || failures / attempts <= MAX_FAILURE_RATIO) return []
  const sample = tallies.find((t) => t.samples.length > 0)?.samples[0] ?? '?'
  return [`warm-up: ${failures} of ${attempts} requests failed, e.g. ${sample}`]
}

/** Why the numbers cannot be trusted, if they cannot: too many failures, or nothing measured. */
export function findInvalidReasons(results: Pick<BenchResults, 'nonStreaming' | 'streaming'>): string[] {
  type Counted = Pick<PathRun, 'requests' | 'attempts' | 'failures' | 'failureSamples'>
  const runs: Array<[string, Counted]> = [
    ...results.nonStreaming.flatMap(
      (r): Array<[string, Counted]> => [
        [`non-streaming direct @${r.connections}`, r.direct],
        [`non-streaming peer @${r.connections}`, r.peer],
        [`non-streaming gateway @${r.connections}`, r.gateway],
      ],
    ),
    ['streaming direct @1', results.streaming.direct],
    ['streaming peer @1', results.streaming.peer],
    ['streaming gateway @1', results.streaming.gateway],
  ]
  const reasons: string[] = []
  for (const [name, run] of runs) {
    if (run.requests === 0) reasons.push(`${name}: no successful request in the measured window`)
    const ratio = run.attempts === 0 ? 1 : run.failures / run.attempts
    if (ratio > MAX_FAILURE_RATIO) {
      reasons.push(
        `${name}: ${run.failures} of ${run.attempts} requests failed (${(ratio * 100).toFixed(1)}%), e.g. ${run.failureSamples[0] ?? '?'}`,
      )
    }
  }
  return reasons
}
