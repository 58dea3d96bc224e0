import { randomBytes } from 'node:crypto'
import pg from 'pg'

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test'

export interface TestPostgres {
  /** A store URL with a schema of its own, so runs never see each other's data. */
  url: string
  drop(): Promise<void>
}

/**
 * The machine's PostgreSQL ($GATEHOUSE_TEST_PG_URL, default 127.0.0.1:5432/test) with a fresh
 * schema, or the reason it cannot be used, so suites skip with a line that says why.
 */
export async function testPostgres(): Promise<TestPostgres | { skip: string }> {
  const base = process.env['GATEHOUSE_TEST_PG_URL'] ?? DEFAULT_URL
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 1500 })
  try {
    await client.connect()
    await client.query('SELECT 1')
  } catch (err) {
    await client.end().catch(() => {})
    return {
      skip: `PostgreSQL not reachable at ${new URL(base).host} (${(err as Error).message}): PostgreSQL tests skipped`,
    }
  }
  await client.end()
  const schema = `gh_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const url = new URL(base)
  url.searchParams.set('schema', schema)
  return {
    url: url.toString(),
    async drop() {
      const admin = new pg.Client({ connectionString: base })
      await admin.connect()
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await admin.end()
    },
  }
}
