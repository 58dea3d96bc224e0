import { type BenchResults, OTHER_CPU_NOTICE_PERCENT } from './results.js'
import { WARMUP_WINDOW_REQUESTS } from './scenarios.js'

/** The results as aligned plain-text tables for a terminal. */
export function formatReport(results: BenchResults): string {
  const { settings } = results
  const lines = [
    `Gatehouse benchmark, ${results.startedAt}, node ${results.node}`,
    results.placement,
    `Warm-up: ${settings.warmupRequests} requests and ${Math.round(settings.warmupRequests / 4)} streamed ones ` +
      'per path before anything is measured (steady state, code optimized). ' +
      `Non-streaming: ${settings.warmupS} s warm-up per path (excluded), then ${settings.measureS} s measured per path ` +
      `in ${settings.rounds} rounds, the paths in turn (figures pool the rounds). Latencies in ms. ` +
      `CPU from /proc/<pid>/stat utime+stime (CLK_TCK ${results.clockTicksPerS}).`,
  ]
  if (settings.isProfiling)
    lines.push('NOTE: the gateway ran under --cpu-prof; its numbers include profiler overhead.')
  if (settings.peerWorkUs > 0)
    lines.push(
      `NOTE: the peer burnt ${settings.peerWorkUs} us of CPU per request before forwarding (BENCH_PEER_WORK_US): ` +
        'it is not a bare hop in this run.',
    )
  lines.push('', formatWarmup(results), '', formatNonStreaming(results), '', formatStreaming(results))
  lines.push('', formatMemory(results), '')
  lines.push(formatRounds(results), '', formatBeyondPeer(results), '', formatTargets(results))
  return lines.join('\n')
}

/** How each path's p50 moved over the warm-up: flat once its code is optimized (steady state). */
function formatWarmup(results: BenchResults): string {
  if (results.warmupCurves.length === 0) return 'Warm-up to steady state: skipped (BENCH_WARMUP_REQUESTS=0)'
  const rows = results.warmupCurves.map((c) => `  ${c.path.padEnd(7)} ${c.p50sMs.map(ms).join(' ')}`)
  return [
    `Warm-up at 16 connections, p50 (ms) over each ${WARMUP_WINDOW_REQUESTS.toLocaleString('en-US')} requests in turn:`,
    ...rows,
  ].join('\n')
}

function formatNonStreaming(results: BenchResults): string {
  const header = [
    'scenario',
    'conns',
    'direct req/s',
    'gw req/s',
    'ratio',
    'direct p50',
    'gw p50',
    'added p50',
    'peer p50',
    'gw-peer p50',
    'direct p99',
    'gw p99',
    'added p99',
    'gw CPU ms/req',
    'peer CPU',
    'user/sys',
    'gw core %',
    'other CPU %',
    'errors',
  ]
  const rows = results.nonStreaming.map(({ connections, direct, peer, gateway }) => [
    'chat non-stream',
    String(connections),
    rate(direct.reqPerS),
    rate(gateway.reqPerS),
    `${(gateway.reqPerS / direct.reqPerS).toFixed(2)}x`,
    ms(direct.latency.p50Ms),
    ms(gateway.latency.p50Ms),
    signedMs(gateway.latency.p50Ms - direct.latency.p50Ms),
    ms(peer.latency.p50Ms),
    signedMs(gateway.latency.p50Ms - peer.latency.p50Ms),
    ms(direct.latency.p99Ms),
    ms(gateway.latency.p99Ms),
    signedMs(gateway.latency.p99Ms - direct.latency.p99Ms),
    ms(gateway.cost.cpuMsPerRequest),
    ms(peer.cost.cpuMsPerRequest),
    `${ms(gateway.cost.userMsPerRequest)}/${ms(gateway.cost.systemMsPerRequest)}`,
    gateway.cost.corePercent.toFixed(0),
    `${direct.machine.otherCpuPercent.toFixed(0)}/${gateway.machine.otherCpuPercent.toFixed(0)}`,
    `${direct.failures}/${peer.failures}/${gateway.failures}`,
  ])
  const notes = [
    "peer: a bare Node.js proxy (bench/bare-proxy.ts) on the gateway's core: parse, forward over undici,",
    'write back. gw-peer p50: what the gateway adds beyond one such hop; peer CPU: its CPU ms/req.',
    'user/sys: the gateway CPU time split into its own code and the kernel on its behalf (sockets, epoll).',
    'other CPU % (direct/gateway window): CPU used by processes other than ours (gateway, peer, fake',
    'upstream, load generator), in % of one core. errors (direct/peer/gateway) include warm-up.',
  ]
  const busiest = Math.max(
    ...results.nonStreaming.flatMap((r) => [
      r.direct.machine.otherCpuPercent,
      r.gateway.machine.otherCpuPercent,
    ]),
  )
  if (busiest >= OTHER_CPU_NOTICE_PERCENT) {
    notes.push(
      `WARNING: other processes used up to ${busiest.toFixed(0)}% of a core while measuring; latencies and`,
      'req/s are disturbed (CPU ms/req much less so). Re-run on a quiet machine for comparable numbers.',
    )
  }
  return `Non-streaming chat completions\n${table(header, rows)}\n${notes.join('\n')}`
}

function formatStreaming(results: BenchResults): string {
  const { direct, peer, gateway } = results.streaming
  const header = [
    'scenario',
    'conns',
    'requests',
    'direct p50',
    'gw p50',
    'added p50',
    'peer p50',
    'gw-peer p50',
    'ratio p50',
    'direct p99',
    'gw p99',
    'added p99',
    'errors',
  ]
  const row = [
    'chat stream TTFB',
    '1',
    String(gateway.requests),
    ms(direct.ttfb.p50Ms),
    ms(gateway.ttfb.p50Ms),
    signedMs(gateway.ttfb.p50Ms - direct.ttfb.p50Ms),
    ms(peer.ttfb.p50Ms),
    signedMs(gateway.ttfb.p50Ms - peer.ttfb.p50Ms),
    `${(gateway.ttfb.p50Ms / direct.ttfb.p50Ms).toFixed(2)}x`,
    ms(direct.ttfb.p99Ms),
    ms(gateway.ttfb.p99Ms),
    signedMs(gateway.ttfb.p99Ms - direct.ttfb.p99Ms),
    `${direct.failures}/${peer.failures}/${gateway.failures}`,
  ]
  return `Streaming: time from request sent to first body byte, ms\n${table(header, [row])}`
}

function formatMemory(results: BenchResults): string {
  const perScenario = results.nonStreaming
    .map((r) => `${r.gateway.cost.maxRssMb.toFixed(1)} MB @${r.connections}`)
    .join(', ')
  return (
    `Gateway memory: max VmRSS under load ${results.memory.maxRssMb.toFixed(1)} MB (${perScenario}); ` +
    `VmHWM ${results.memory.hwmMb.toFixed(1)} MB`
  )
}

/**
 * Each round's p50s at one connection (the p50 target's level): how far the added figure moved
 * while the paths were measured in turn. A wide spread says the host's speed drifted.
 */
function formatRounds(results: BenchResults): string {
  const at1 = results.nonStreaming.find((r) => r.connections === 1)
  if (!at1) return 'Round by round @1 conn: not measured'
  const rows = at1.rounds.map((r, i) => [
    String(i + 1),
    ms(r.directMs),
    ms(r.peerMs),
    ms(r.gatewayMs),
    signedMs(r.gatewayMs - r.directMs),
    signedMs(r.peerMs - r.directMs),
    signedMs(r.gatewayMs - r.peerMs),
  ])
  const added = at1.rounds.map((r) => r.gatewayMs - r.directMs)
  return (
    `Round by round @1 conn (p50, ms): added p50 from ${signedMs(Math.min(...added))} to ` +
    `${signedMs(Math.max(...added))} across rounds\n` +
    table(['round', 'direct', 'peer', 'gateway', 'added', 'bare hop', 'gateway beyond it'], rows)
  )
}

/** How much of each added figure one bare Node.js hop takes on this machine, in this run. */
function formatBeyondPeer(results: BenchResults): string {
  const b = results.beyondPeer
  const rows = [
    ['added p50 latency @1 conn', signedMs(b.peerAddedP50Ms), signedMs(b.gatewayBeyondPeerP50Ms)],
    [
      'added time to first streamed byte (p50)',
      signedMs(b.peerAddedTtfbMs),
      signedMs(b.gatewayBeyondPeerTtfbMs),
    ],
    ['CPU time per non-streaming request @16 conns', ms(b.peerCpuMs16), signedMs(b.gatewayBeyondPeerCpuMs16)],
  ]
  return `The same figures split: one bare Node.js hop, and the gateway beyond it (ms)\n${table(
    ['figure', 'bare hop', 'gateway beyond it'],
    rows,
  )}`
}

function formatTargets(results: BenchResults): string {
  const rows = results.targets.map((t) => {
    const isMeasured = Number.isFinite(t.measured)
    return [
      t.isPass ? 'PASS' : isMeasured ? 'FAIL' : 'SKIP',
      t.name,
      isMeasured ? `${t.measured.toFixed(t.unit === 'ms' ? 3 : 1)} ${t.unit}` : 'not measured',
      `<= ${t.limit} ${t.unit}`,
    ]
  })
  const verdict = results.isValid
    ? 'Run: VALID'
    : `Run: INVALID\n${results.invalidReasons.map((r) => `  - ${r}`).join('\n')}`
  const group = results.targets[0]?.group ?? 'core path'
  return `Targets (${group})\n${table(['result', 'target', 'measured', 'limit'], rows)}\n\n${verdict}`
}

/** Columns padded to their widest cell; text left-aligned, numbers right-aligned. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const isNumeric = header.map((_, i) => rows.every((r) => /^[-+]?[\d.,]+(x|%)?$/.test(r[i] ?? '')))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (isNumeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join(' | ')
      .trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-')
  return [line(header), rule, ...rows.map(line)].join('\n')
}

function rate(perS: number): string {
  return Math.round(perS).toLocaleString('en-US')
}

// A figure whose scenario was not run this time (BENCH_CONNECTIONS without 1 or 16) is NaN.
function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : 'not measured'
}

function signedMs(value: number): string {
  return Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(3)}` : 'not measured'
}
