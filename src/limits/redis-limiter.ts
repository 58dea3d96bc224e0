import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import {
  type AcquireResult,
  type BucketState,
  type BucketTake,
  granted,
  type Limiter,
  msUntil,
  needed,
  type SlotRequest,
  type TakeResult,
} from './limiter.js'

// Each script runs atomically on the Redis server, so every replica sees one set of buckets and a
// check-then-take cannot interleave with another's. Time comes from the server (TIME), so replica
// clocks do not matter. Levels go back as strings: Redis would truncate Lua numbers to integers.
const REFILL = `
local function level(key, limit, now)
  local s = redis.call('HMGET', key, 'tokens', 'at')
  if not s[1] then return limit end
  return math.min(limit, tonumber(s[1]) + math.max(0, now - tonumber(s[2])) * limit / 60000)
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

const TAKE = `${REFILL}
local levels, denied = {}, 0
for i = 1, #KEYS do
  local limit, cost = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  levels[i] = level(KEYS[i], limit, now)
  if denied == 0 and levels[i] < math.min(cost, limit) then denied = i end
end
local out = { denied }
for i = 1, #KEYS do
  local tokens = levels[i]
  if denied == 0 then
    tokens = tokens - tonumber(ARGV[2 * i])
    redis.call('HSET', KEYS[i], 'tokens', tostring(tokens), 'at', tostring(now))
    redis.call('PEXPIRE', KEYS[i], 120000)
  end
  out[i + 1] = tostring(tokens)
end
return out
`

const ADJUST = `${REFILL}
for i = 1, #KEYS do
  local limit, cost = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local tokens = math.max(-limit, math.min(limit, level(KEYS[i], limit, now) - cost))
  redis.call('HSET', KEYS[i], 'tokens', tostring(tokens), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[i], 120000)
end
return 0
`

// Concurrency slots are leases in a sorted set scored by expiry: a replica that dies holding a
// slot loses it after the lease instead of leaking it forever.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
for i = 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  if redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[2 + i]) then return i end
end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], lease)
end
return 0
`

type Scripted = Redis & {
  gatehouseTake(n: number, ...args: Array<string | number>): Promise<string[]>
  gatehouseAdjust(n: number, ...args: Array<string | number>): Promise<number>
  gatehouseAcquire(n: number, ...args: Array<string | number>): Promise<number>
}

/** Limits shared by every replica through one Redis (the client's `keyPrefix` namespaces them). */
export function createRedisLimiter(redis: Redis): Limiter {
  const client = redis as Scripted
  client.defineCommand('gatehouseTake', { lua: TAKE })
  client.defineCommand('gatehouseAdjust', { lua: ADJUST })
  client.defineCommand('gatehouseAcquire', { lua: ACQUIRE })
  const args = (takes: readonly BucketTake[]) => [
    ...takes.map((t) => `limit:${t.key}`),
    ...takes.flatMap((t) => [t.limit, t.cost]),
  ]

  return {
    kind: 'redis',
    async take(takes): Promise<TakeResult> {
      const [denied, ...levels] = await client.gatehouseTake(takes.length, ...args(takes))
      const states: BucketState[] = takes.map((t, i) => {
        const tokens = Number(levels[i])
        return {
          key: t.key,
          limit: t.limit,
          remaining: Math.max(0, Math.floor(tokens)),
          resetMs: msUntil(tokens, t.limit, t.limit),
        }
      })
      const index = Number(denied)
      if (index === 0) return { ok: true, buckets: states }
      const take = takes[index - 1]!
      return {
        ok: false,
        buckets: states,
        denied: states[index - 1]!,
        retryAfterMs: msUntil(Number(levels[index - 1]), needed(take), take.limit),
      }
    },
    async adjust(takes) {
      if (takes.length > 0) await client.gatehouseAdjust(takes.length, ...args(takes))
    },
    async acquire(requests: readonly SlotRequest[], leaseMs): Promise<AcquireResult> {
      const lease = randomUUID()
      const keys = requests.map((r) => `slots:${r.key}`)
      const denied = await client.gatehouseAcquire(
        keys.length,
        ...keys,
        lease,
        leaseMs,
        ...requests.map((r) => r.limit),
      )
      if (denied > 0) return { ok: false, denied: requests[denied - 1]! }
      return granted(() => {
        const pipeline = client.pipeline()
        for (const key of keys) pipeline.zrem(key, lease)
        // A failed release is healed by the lease expiry.
        pipeline.exec().catch(() => {})
      })
    },
    async close() {},
  }
}
