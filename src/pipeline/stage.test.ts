import { describe, expect, it } from 'vitest'
import type { RequestContext } from './context.js'
import { compose, type PipelineResult, type Stage } from './stage.js'

const done: PipelineResult = {
  kind: 'embeddings',
  response: { object: 'list', data: [], model: 'm', usage: { prompt_tokens: 0, total_tokens: 0 } },
}

describe('compose', () => {
  it('runs stages in order, around the inner ones', async () => {
    const order: string[] = []
    const wrap = (name: string): Stage => ({
      name,
      async run(_ctx, next) {
        order.push(`${name}:before`) // 1. outer before inner
        const result = await next()
        order.push(`${name}:after`) // 2. inner after before outer after
        return result
      },
    })
    const last: Stage = {
      name: 'last',
      async run() {
        order.push('last')
        return done
      },
    }
    const ctx = { stage: '' } as RequestContext
    expect(await compose([wrap('a'), wrap('b'), last])(ctx)).toBe(done)
    expect(order).toEqual(['a:before', 'b:before', 'last', 'b:after', 'a:after'])
    expect(ctx.stage).toBe('last')
  })

  it('lets a stage end the request by throwing', async () => {
    const deny: Stage = { name: 'deny', run: async () => Promise.reject(new Error('denied')) }
    const never: Stage = { name: 'never', run: async () => expect.unreachable() }
    await expect(compose([deny, never])({ stage: '' } as RequestContext)).rejects.toThrow('denied')
  })

  it('rejects next() called twice', async () => {
    const twice: Stage = {
      name: 'twice',
      async run(_ctx, next) {
        await next()
        return next()
      },
    }
    const last: Stage = { name: 'last', run: async () => done }
    await expect(compose([twice, last])({ stage: '' } as RequestContext)).rejects.toThrow(
      'next() called twice',
    )
  })
})
