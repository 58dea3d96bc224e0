import { describe, expect, it } from 'vitest'
import type { GatewayError } from '../errors.js'
import { QueryParams } from './query-params.js'

function error(fn: () => unknown): GatewayError {
  try {
    fn()
  } catch (err) {
    return err as GatewayError
  }
  throw new Error('no error')
}

describe('QueryParams', () => {
  it('reads times as ISO date-times with a zone or epoch ms', () => {
    const q = new QueryParams({ from: '2026-11-29T10:00:00Z', to: '1795979171482' }, ['from', 'to'])
    expect(q.time('from')).toBe(Date.UTC(2026, 10, 29, 10))
    expect(q.time('to')).toBe(1795979171482)
    expect(q.time('absent' as string)).toBeUndefined()
    for (const bad of ['yesterday', '2026-11-29', '2026-11-29T10:00:00', '2026-02-30T25:00:00Z', '-5'])
      expect(error(() => new QueryParams({ from: bad }, ['from']).time('from')).param, bad).toBe('from')
  })

  it('checks integers, choices and lists, naming the parameter', () => {
    const q = new QueryParams({ limit: '5', interval: 'day', group_by: 'tenant, model' }, [
      'limit',
      'interval',
      'group_by',
    ])
    expect(q.integer('limit', 1, 10)).toBe(5)
    expect(q.oneOf('interval', ['hour', 'day'])).toBe('day')
    expect(q.list('group_by', ['tenant', 'model'])).toEqual(['tenant', 'model'])
    expect(error(() => new QueryParams({ limit: '1.5' }, ['limit']).integer('limit', 1, 10)).message).toBe(
      'limit: expected an integer 1..10',
    )
    expect(
      error(() => new QueryParams({ limit: ['1', '2'] }, ['limit']).integer('limit', 1, 10)).message,
    ).toBe('limit: given more than once')
    expect(error(() => new QueryParams({ g: 'a,a' }, ['g']).list('g', ['a'])).message).toBe(
      'g: lists an item twice',
    )
  })

  it('refuses unknown parameters, naming them and the known ones', () => {
    const err = error(() => new QueryParams({ tennant: 'x' }, ['tenant']))
    expect(err.status).toBe(400)
    expect(err.message).toBe('tennant: unknown parameter (known: tenant)')
  })
})
