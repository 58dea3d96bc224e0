/** What a run measures and for how long, from the environment (all optional). */
export interface Settings {
  /** Load before each measured window, not counted. */
  warmupS: number
  /**
   * Requests sent to each path before anything is measured (and a quarter as many streamed), so
   * the gateway is measured in its steady state, not while V8 still optimizes its code.
   */
  warmupRequests: number
  /** Measured time of each path at each concurrency level, split over the rounds. */
  measureS: number
  /** Rounds that measure the paths in turn (see `runNonStreaming`). */
  rounds: number
  connections: number[]
  ttfbWarmupRequests: number
  ttfbRequests: number
  /** Run the gateway under `node --cpu-prof` (profiles land in bench/results/profiles). */
  isProfiling: boolean
  /** CPU the peer burns per request before forwarding (0: a bare hop). */
  peerWorkUs: number
  /** Which parts of the gateway's pipeline are on; all but tracing by default, as in the gateway. */
  pipeline: { access: boolean; requestLog: boolean; protect: boolean; tracing: boolean }
}

/** A mistake in the environment: its message says what to fix, a stack trace would only add noise. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export const USAGE = `Environment:
  BENCH_SECONDS         measured seconds per path and concurrency level (default 5)
  BENCH_ROUNDS          rounds they are split over, the paths measured in turn (default 5)
  BENCH_WARMUP_REQUESTS requests sent to each path before anything is measured, at 16 connections,
                        and a quarter as many streamed (default 20000): V8 optimizes the gateway's
                        code for its first ~10,000 requests, and that is not its steady state
  BENCH_WARMUP_SECONDS  warm-up seconds per path before each concurrency level's rounds (default 3)
  BENCH_CONNECTIONS     comma-separated concurrency levels (default 1,16,64)
  BENCH_TTFB_REQUESTS   streaming requests measured per path (default 500, after 50 warm-up)
  BENCH_CPU_PROF=1      run the gateway under node --cpu-prof
  BENCH_REQUEST_LOG=0   do not record requests in the embedded store (on by default, as in the gateway)
  BENCH_ACCESS=0        no keys, limits, budgets or loop guard (auth: none), to measure their cost
  BENCH_PROMPT=short    a two-word prompt instead of the typical 1 KB one with personal data
  BENCH_PROTECT=0       no data protection (scan, policy, redaction, guardrails), to measure its cost
  BENCH_TRACING=1       trace every request (tracing.enabled), exported to the fake upstream
  BENCH_PEER_WORK_US=N  the peer burns N us of CPU per request before forwarding (default 0), to see
                        what work before the upstream call costs in latency on this machine
With BENCH_ACCESS=0 BENCH_REQUEST_LOG=0 BENCH_PROTECT=0 the core path's targets apply, else the
full pipeline's.`

export function settingsFrom(env: NodeJS.ProcessEnv): Settings {
  const measureS = positive(env, 'BENCH_SECONDS', 5)
  return {
    measureS,
    rounds: Math.max(1, Math.round(positive(env, 'BENCH_ROUNDS', 5, { max: 100 }))),
    // Not shortened with BENCH_SECONDS: a gateway fresh from startup still optimizes code and grows
    // its heap for a few seconds, and measuring that would make short runs look several times slower.
    warmupS: positive(env, 'BENCH_WARMUP_SECONDS', 3, { isZeroAllowed: true }),
    warmupRequests: Math.round(
      positive(env, 'BENCH_WARMUP_REQUESTS', 20_000, { isZeroAllowed: true, max: 1_000_000 }),
    ),
    connections: connectionCounts(env['BENCH_CONNECTIONS']),
    ttfbWarmupRequests: 50,
    ttfbRequests: Math.round(positive(env, 'BENCH_TTFB_REQUESTS', 500, { max: 100_000 })),
    isProfiling: env['BENCH_CPU_PROF'] === '1',
    peerWorkUs: Math.round(positive(env, 'BENCH_PEER_WORK_US', 0, { isZeroAllowed: true, max: 100_000 })),
    pipeline: {
      access: env['BENCH_ACCESS'] !== '0',
      requestLog: env['BENCH_REQUEST_LOG'] !== '0',
      protect: env['BENCH_PROTECT'] !== '0',
      tracing: env['BENCH_TRACING'] === '1',
    },
  }
}

function positive(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  { isZeroAllowed = false, max = 600 } = {},
): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  // Bounded so a typo cannot turn the benchmark into an hour-long load test.
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !isZeroAllowed) || value > max) {
    throw new UsageError(
      `${name}="${raw}": expected a number from ${isZeroAllowed ? 0 : '>0'} to ${max}\n${USAGE}`,
    )
  }
  return value
}

function connectionCounts(raw: string | undefined): number[] {
  if (raw === undefined || raw.trim() === '') return [1, 16, 64]
  const counts = raw.split(',').map((part) => Number(part.trim()))
  if (!counts.every((n) => Number.isInteger(n) && n >= 1 && n <= 1024)) {
    throw new UsageError(
      `BENCH_CONNECTIONS="${raw}": expected integers from 1 to 1024, e.g. 1,16,64\n${USAGE}`,
    )
  }
  return counts
}
