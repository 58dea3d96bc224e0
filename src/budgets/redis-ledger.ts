import type { Redis } from 'ioredis'
import type { BudgetLedger } from './budget-ledger.js'

// Budget lines live in Redis hashes {held, spent}; each script is atomic, so replicas reserving at
// once cannot both squeeze under a limit, and exactly one settle sees a threshold being crossed.
const RESERVE = `
for i = 1, #KEYS do
  local limit = tonumber(ARGV[2 * i - 1])
  if limit >= 0 then
    local held = tonumber(redis.call('HGET', KEYS[i], 'held') or '0')
    if held + tonumber(ARGV[2 * i]) > limit then return { i, tostring(held) } end
  end
end
for i = 1, #KEYS do
  redis.call('HINCRBY', KEYS[i], 'held', ARGV[2 * i])
  redis.call('EXPIRE', KEYS[i], ARGV[2 * #KEYS + 1])
end
return { 0, '0' }
`

const SETTLE = `
local out = {}
for i = 1, #KEYS do
  redis.call('HINCRBY', KEYS[i], 'held', tonumber(ARGV[2 * i]) - tonumber(ARGV[2 * i - 1]))
  out[i] = redis.call('HINCRBY', KEYS[i], 'spent', ARGV[2 * i])
  redis.call('EXPIRE', KEYS[i], ARGV[2 * #KEYS + 1])
end
return out
`

type Scripted = Redis & {
  gatehouseReserve(n: number, ...args: Array<string | number>): Promise<[number, string]>
  gatehouseSettle(n: number, ...args: Array<string | number>): Promise<number[]>
}

/** Monthly lines must outlive their month; daily ones are gone two days later. */
const TTL_S = 40 * 86_400

export function createRedisLedger(redis: Redis): BudgetLedger {
  const client = redis as Scripted
  client.defineCommand('gatehouseReserve', { lua: RESERVE })
  client.defineCommand('gatehouseSettle', { lua: SETTLE })
  const key = (k: string) => `budget:${k}`
  return {
    kind: 'redis',
    async reserve(lines) {
      const [index, held] = await client.gatehouseReserve(
        lines.length,
        ...lines.map((l) => key(l.key)),
        ...lines.flatMap((l) => [l.limitNano ?? -1, Math.ceil(l.amountNano)]),
        TTL_S,
      )
      return index === 0 ? { ok: true } : { ok: false, index: index - 1, heldNano: Number(held) }
    },
    async settle(lines) {
      const after = await client.gatehouseSettle(
        lines.length,
        ...lines.map((l) => key(l.key)),
        ...lines.flatMap((l) => [Math.ceil(l.reservedNano), Math.round(l.actualNano)]),
        TTL_S,
      )
      return lines.map((l, i) => ({
        key: l.key,
        spentAfterNano: Number(after[i]),
        spentBeforeNano: Number(after[i]) - Math.round(l.actualNano),
      }))
    },
    async spent(k) {
      return Number((await redis.hget(key(k), 'spent')) ?? 0)
    },
    async seed(k, spentNano) {
      // HSETNX: a line another replica already started is left alone.
      await redis.multi().hsetnx(key(k), 'spent', spentNano).hsetnx(key(k), 'held', spentNano).exec()
    },
    async close() {},
  }
}
