import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'

const DEFAULT_URL = 'redis://127.0.0.1:6379'

export interface TestRedis {
  url: string
  /** A key prefix of this run's own, so runs never see each other's counters. */
  prefix: string
  /** Delete every key under the prefix. */
  clean(): Promise<void>
}

/**
 * The machine's Redis ($GATEHOUSE_TEST_REDIS_URL, default 127.0.0.1:6379) with a fresh key prefix,
 * or the reason it cannot be used, so suites skip with a line that says why.
 */
export async function testRedis(): Promise<TestRedis | { skip: string }> {
  const url = process.env['GATEHOUSE_TEST_REDIS_URL'] ?? DEFAULT_URL
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.ping()
  } catch (err) {
    client.disconnect()
    return {
      skip: `Redis not reachable at ${new URL(url).host} (${(err as Error).message}): Redis tests skipped`,
    }
  }
  client.disconnect()
  const prefix = `gh_test_${process.pid}_${randomBytes(4).toString('hex')}:`
  return {
    url,
    prefix,
    async clean() {
      const admin = new Redis(url, { maxRetriesPerRequest: 1 })
      const keys = await admin.keys(`${prefix}*`)
      if (keys.length > 0) await admin.del(...keys)
      admin.disconnect()
    },
  }
}
