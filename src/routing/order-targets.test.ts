import { describe, expect, it } from 'vitest'
import { orderTargets } from './order-targets.js'
import { TargetStats } from './target-stats.js'

const names = (list: Array<{ name: string }>) => list.map((c) => c.name)
const candidates = [
  { name: 'a', weight: 1, costUsd: 0.3 },
  { name: 'b', weight: 3, costUsd: 0.1 },
  { name: 'c', weight: 1, costUsd: undefined },
]

/** A seeded generator (mulberry32), so the weighted split is reproducible. */
function seeded(seed: number): () => number {
  let t = seed
  return () => {
    t = (t + 0x6d2b79f5) | 0
    let r = Math.imul(t ^ (t >>> 15), 1 | t)
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296
  }
}

describe('orderTargets', () => {
  const clock = 0
  const stats = new TargetStats(() => clock, 30)

  it('fallback keeps the configured order', () => {
    expect(names(orderTargets('fallback', candidates, { stats, random: Math.random }))).toEqual([
      'a',
      'b',
      'c',
    ])
  })

  it('cheapest sorts by estimated cost, unpriced last', () => {
    expect(names(orderTargets('cheapest', candidates, { stats, random: Math.random }))).toEqual([
      'b',
      'a',
      'c',
    ])
  })

  it('weighted picks the first target in proportion to the weights, and keeps every target', () => {
    const random = seeded(42)
    const firsts = { a: 0, b: 0, c: 0 } as Record<string, number>
    const n = 10_000
    for (let i = 0; i < n; i++) {
      const order = orderTargets('weighted', candidates, { stats, random })
      expect(order).toHaveLength(3)
      firsts[order[0]!.name]!++
    }
    // b has weight 3 of 5: 60%, a and c 20% each; 4 standard deviations of a binomial is ~2%.
    expect(firsts['b']! / n).toBeCloseTo(0.6, 1)
    expect(Math.abs(firsts['b']! / n - 0.6)).toBeLessThan(0.02)
    expect(Math.abs(firsts['a']! / n - 0.2)).toBeLessThan(0.02)
  })

  it('least-busy prefers the target with fewer calls in flight', () => {
    stats.begin('a')
    stats.begin('a')
    stats.begin('b')
    expect(names(orderTargets('least-busy', candidates, { stats, random: Math.random }))).toEqual([
      'c',
      'b',
      'a',
    ])
    stats.end('a', undefined)
    stats.end('a', undefined)
    stats.end('b', undefined)
  })

  it('least-latency tries unmeasured targets first, then the fastest', () => {
    const fresh = new TargetStats(() => clock, 30)
    for (const [name, ms] of [
      ['a', 200],
      ['b', 50],
    ] as const) {
      fresh.begin(name)
      fresh.end(name, ms)
    }
    expect(names(orderTargets('least-latency', candidates, { stats: fresh, random: Math.random }))).toEqual([
      'c',
      'b',
      'a',
    ])
  })
})

describe('TargetStats', () => {
  it('moves the latency average toward new samples, faster when the old ones are stale', () => {
    let now = 0
    const stats = new TargetStats(() => now, 10)
    stats.begin('t')
    stats.end('t', 100)
    stats.begin('t')
    stats.end('t', 200)
    const soon = stats.latencyMs('t')!
    expect(soon).toBeGreaterThan(100)
    expect(soon).toBeLessThan(200)
    now += 60_000
    stats.begin('t')
    stats.end('t', 1000)
    // Six half-lives later the old average weighs ~1.6%.
    expect(stats.latencyMs('t')!).toBeGreaterThan(980)
  })

  it('forgets a target not measured for ten half-lives', () => {
    let now = 0
    const stats = new TargetStats(() => now, 1)
    stats.begin('t')
    stats.end('t', 5)
    now += 11_000
    expect(stats.latencyMs('t')).toBeUndefined()
  })
})
