import { describe, expect, it } from 'vitest'
import type { Alerter } from '../alerts/alerter.js'
import type { BucketTake, Limiter } from '../limits/limiter.js'
import { createLocalLimiter } from '../limits/local-limiter.js'
import type { RoutingMetrics } from '../routing/routing-deps.js'
import type { RequestContext } from './context.js'
import { guardLoop } from './guard-loop.js'
import type { PipelineResult } from './stage.js'

/** The loop guard over the real in-process limiter, every take it makes recorded. */
function setUp(maxRepeats = 20) {
  let nowMs = 1_000_000
  const local = createLocalLimiter(() => nowMs)
  const takes: BucketTake[] = []
  const limiter: Limiter = {
    ...local,
    take(buckets) {
      takes.push(...buckets)
      return local.take(buckets)
    },
  }
  const alerts: unknown[] = []
  const alerter = { send: (event: unknown) => alerts.push(event) } as unknown as Alerter
  const metrics = { rejected: () => {} } as unknown as RoutingMetrics
  const stage = guardLoop(limiter, alerter, metrics, () => nowMs)
  const send = (text: string) => {
    const ctx = {
      operation: 'chat',
      principal: { keyId: 'k1', tenant: 'acme' },
      body: { model: 'm', messages: [{ role: 'user', content: text }] },
      runtime: {
        config: { loop_guard: { enabled: true, max_repeats: maxRepeats, action: 'alert', block_s: 60 } },
      },
    } as unknown as RequestContext
    return stage.run(ctx, async () => ({ kind: 'chat' }) as unknown as PipelineResult)
  }
  return { send, takes, alerts, advance: (ms: number) => (nowMs += ms) }
}

describe('guardLoop', () => {
  it('leaves prompts sent once out of the limiter', async () => {
    const { send, takes } = setUp()
    // Words, not numbers: the guard zeroes digits, so numbered prompts would repeat.
    const word = (i: number) => i.toString(26).replace(/\d/g, (d) => 'qrstuvwxyz'[Number(d)]!)
    for (let i = 0; i < 500; i++) await send(`Summarise ticket ${word(i)} for the team`)
    expect(takes).toHaveLength(0)
    for (let i = 0; i < 10; i++) await send(`Summarise ticket ${word(i)} for the team`)
    expect(takes).toHaveLength(10)
    expect(takes.every((t) => t.cost === 2)).toBe(true)
  })

  it('counts every sighting from the second on, the first with it, and alerts past max_repeats', async () => {
    const { send, takes, alerts } = setUp(5)
    for (let i = 0; i < 5; i++) await send(`retry ${i}: fetch the page`)
    expect(takes.map((t) => t.cost)).toEqual([2, 1, 1, 1])
    expect(alerts).toHaveLength(0)
    await send('retry 6: fetch the page')
    expect(alerts).toHaveLength(1)
  })

  it('keeps counting a loop that goes on across the filter windows, without counting its first again', async () => {
    const { send, takes, advance } = setUp(1_000)
    await send('poll the queue')
    await send('poll the queue')
    for (let i = 0; i < 6; i++) {
      advance(20_000)
      await send('poll the queue')
    }
    expect(takes.map((t) => t.cost)).toEqual([2, 1, 1, 1, 1, 1, 1])
  })
})
