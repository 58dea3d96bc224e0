import { describe, expect, it } from 'vitest'
import { p50PerWindow, pooledCost, pooledRun, rotate, type Slice } from '../../bench/scenarios.js'

const slice = (latenciesMs: number[], over: Partial<Slice> = {}): Slice => ({
  load: {
    attempts: latenciesMs.length + 1,
    failures: 1,
    samples: ['HTTP 503: busy'],
    requests: latenciesMs.length,
    windowMs: 1000,
    latenciesMs,
  },
  proxyCpu: { userMs: 30, systemMs: 10 },
  otherCpuMs: 50,
  stealMs: 0,
  maxRssKb: 100 * 1024,
  ...over,
})

describe('the bench measures the paths in turn, round after round', () => {
  it('starts each round with the next path, so no path is always measured first', () => {
    const paths = ['direct', 'peer', 'gateway']
    expect([0, 1, 2, 3].map((round) => rotate(paths, round)[0])).toEqual([
      'direct',
      'peer',
      'gateway',
      'direct',
    ])
    expect(rotate(paths, 1)).toEqual(['peer', 'gateway', 'direct'])
    expect(paths).toEqual(['direct', 'peer', 'gateway'])
  })

  it("pools a path's rounds: percentiles over every request, counts and windows added up", () => {
    // A slow round and a fast one: the pooled p50 sits between the two rounds' own p50s.
    const run = pooledRun([slice([1, 1, 1, 1]), slice([3, 3, 3, 3, 3, 3])])
    expect(run.requests).toBe(10)
    expect(run.attempts).toBe(12)
    expect(run.failures).toBe(2)
    expect(run.failureSamples).toEqual(['HTTP 503: busy', 'HTTP 503: busy'])
    expect(run.windowMs).toBe(2000)
    expect(run.reqPerS).toBe(5)
    expect(run.latency.p50Ms).toBe(3)
    expect(run.latency.count).toBe(10)
    expect(run.machine.otherCpuPercent).toBe(5)
  })

  it("adds up the proxy's CPU time over its rounds and keeps the largest RSS", () => {
    const cost = pooledCost([
      slice([1, 1, 1, 1]),
      slice([1, 1, 1, 1], { proxyCpu: { userMs: 50, systemMs: 30 }, maxRssKb: 150 * 1024 }),
    ])
    expect(cost.cpuMs).toBe(120)
    expect(cost.cpuMsPerRequest).toBe(15)
    expect(cost.userMsPerRequest).toBe(10)
    expect(cost.systemMsPerRequest).toBe(5)
    expect(cost.corePercent).toBe(6)
    expect(cost.maxRssMb).toBe(150)
  })

  it('reports nothing measured as NaN, not as zero cost', () => {
    const cost = pooledCost([slice([])])
    expect(cost.cpuMsPerRequest).toBeNaN()
    expect(pooledRun([slice([])]).latency.p50Ms).toBeNaN()
  })

  it("draws the warm-up's curve: one p50 per window of requests, in the order they completed", () => {
    // Slow while the code is optimized, then flat: the curve must show the fall, window by window.
    const latencies = [9, 9, 8, 5, 5, 6, 2, 2, 2, 2, 3]
    expect(p50PerWindow(latencies, 3)).toEqual([9, 5, 2, 2])
    expect(p50PerWindow([], 3)).toEqual([])
  })
})
