import { describe, expect, it, vi } from 'vitest'
import type { RequestContext } from './context.js'
import { afterAnswer, afterMetering, answerHandedOver } from './when-done.js'

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

function contextWith(fields: Partial<RequestContext>) {
  const error = vi.fn()
  return { ctx: { log: { error }, ...fields } as unknown as RequestContext, error }
}

describe('afterAnswer', () => {
  it('runs at once when no runner defers it', () => {
    const { ctx } = contextWith({})
    const fn = vi.fn()
    afterAnswer(ctx, fn)
    expect(fn).toHaveBeenCalledOnce()
  })

  it('waits for the answer to be handed over, then runs on the next turn, in order', async () => {
    const { ctx } = contextWith({ afterAnswer: [] })
    const order: string[] = []
    afterAnswer(ctx, () => order.push('budget'))
    afterAnswer(ctx, () => order.push('record'))
    await nextTurn()
    expect(order).toEqual([])
    answerHandedOver(ctx)
    // Not in the same turn: the answer's write comes first.
    expect(order).toEqual([])
    await nextTurn()
    expect(order).toEqual(['budget', 'record'])
  })

  it('runs what comes after the handover at once', async () => {
    const { ctx } = contextWith({ afterAnswer: [] })
    answerHandedOver(ctx)
    const fn = vi.fn()
    afterAnswer(ctx, fn)
    expect(fn).toHaveBeenCalledOnce()
  })

  it('logs a failure and still runs the rest', async () => {
    const { ctx, error } = contextWith({ afterAnswer: [] })
    const after = vi.fn()
    afterAnswer(ctx, () => {
      throw new Error('store gone')
    })
    afterAnswer(ctx, after)
    answerHandedOver(ctx)
    await nextTurn()
    expect(after).toHaveBeenCalledOnce()
    expect(error).toHaveBeenCalledWith(
      { err: expect.objectContaining({ message: 'store gone' }) },
      'bookkeeping after the answer failed',
    )
  })
})

describe('afterMetering', () => {
  it("waits for meter's count of a cut stream, not for the handover", async () => {
    let counted!: () => void
    const { ctx } = contextWith({
      afterAnswer: [],
      metering: new Promise<void>((resolve) => {
        counted = resolve
      }),
    })
    const fn = vi.fn()
    afterMetering(ctx, fn)
    answerHandedOver(ctx)
    await nextTurn()
    expect(fn).not.toHaveBeenCalled()
    counted()
    await nextTurn()
    expect(fn).toHaveBeenCalledOnce()
  })

  it('otherwise waits for the handover', async () => {
    const { ctx } = contextWith({ afterAnswer: [] })
    const fn = vi.fn()
    afterMetering(ctx, fn)
    expect(fn).not.toHaveBeenCalled()
    answerHandedOver(ctx)
    await nextTurn()
    expect(fn).toHaveBeenCalledOnce()
  })
})
