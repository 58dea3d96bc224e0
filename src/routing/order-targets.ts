import type { Strategy } from '../config/schema.js'
import type { TargetStats } from './target-stats.js'

export interface Candidate {
  name: string
  weight: number
  /** Estimated cost of this request on this target, when known (for `cheapest`). */
  costUsd?: number | undefined
}

export interface OrderDeps {
  stats: TargetStats
  random: () => number
}

/**
 * A route's strategy as an order over its targets: the first is tried first, the rest are the
 * fallbacks, so every strategy keeps the route's resilience.
 */
export function orderTargets<T extends Candidate>(
  strategy: Strategy,
  candidates: readonly T[],
  deps: OrderDeps,
): T[] {
  switch (strategy) {
    case 'fallback':
      return [...candidates]
    case 'weighted':
      return weightedOrder(candidates, deps.random)
    case 'least-busy':
      return stableSort(candidates, (c) => deps.stats.inFlight(c.name))
    case 'least-latency':
      // Unmeasured targets go first: they have to be tried once to be known.
      return stableSort(candidates, (c) => deps.stats.latencyMs(c.name) ?? -1)
    case 'cheapest':
      // Unpriced targets go last: their cost cannot be shown to be low.
      return stableSort(candidates, (c) => c.costUsd ?? Number.POSITIVE_INFINITY)
  }
}

/**
 * Weighted random order without replacement (Efraimidis and Spirakis, 2006): each target draws
 * `u ** (1 / weight)` and the largest key goes first, so the first pick follows the weights and
 * the rest of the order stays weighted for fallback.
 */
function weightedOrder<T extends Candidate>(candidates: readonly T[], random: () => number): T[] {
  return candidates
    .map((candidate) => ({ candidate, key: random() ** (1 / candidate.weight) }))
    .sort((a, b) => b.key - a.key)
    .map((entry) => entry.candidate)
}

function stableSort<T>(items: readonly T[], score: (item: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index, score: score(item) }))
    .sort((a, b) => a.score - b.score || a.index - b.index)
    .map((entry) => entry.item)
}
