export interface LatencySummary {
  count: number
  p50Ms: number
  p99Ms: number
  meanMs: number
  maxMs: number
}

/** Nearest-rank percentiles (https://en.wikipedia.org/wiki/Percentile#The_nearest-rank_method). */
export function summarizeLatencies(valuesMs: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(valuesMs).sort()
  const at = (p: number): number => {
    if (sorted.length === 0) return Number.NaN
    const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
    return sorted[rank - 1]!
  }
  const sum = sorted.reduce((total, v) => total + v, 0)
  return {
    count: sorted.length,
    p50Ms: at(50),
    p99Ms: at(99),
    meanMs: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    maxMs: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
  }
}
