/**
 * Versioned schema changes, applied in order at start, each once, each in a transaction.
 * A migration is never edited after release: a change is a new version. Dialects differ only in
 * column types (SQLite has no BIGINT/JSONB distinction worth having; PostgreSQL does).
 */
export interface Migration {
  version: number
  name: string
  sqlite: string
  postgres: string
}

/** Column types that differ between the dialects; everything else in a DDL is shared. */
interface Types {
  bigint: string
  real: string
  json: string
}
const SQLITE: Types = { bigint: 'INTEGER', real: 'REAL', json: 'TEXT' }
const POSTGRES: Types = { bigint: 'BIGINT', real: 'DOUBLE PRECISION', json: 'JSONB' }

/** One DDL, typed per dialect: the two stores cannot drift apart column by column. */
function both(ddl: (t: Types) => string): Pick<Migration, 'sqlite' | 'postgres'> {
  return { sqlite: ddl(SQLITE), postgres: ddl(POSTGRES) }
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'request logs',
    ...both(
      (t) => `
      CREATE TABLE request_logs (
        request_id TEXT NOT NULL PRIMARY KEY,
        ts ${t.bigint} NOT NULL,
        tenant TEXT, key_id TEXT, user_id TEXT, use_case TEXT,
        operation TEXT NOT NULL,
        model_requested TEXT NOT NULL,
        route TEXT, provider TEXT, model_served TEXT,
        status INTEGER NOT NULL,
        error_kind TEXT,
        attempts INTEGER NOT NULL,
        trace ${t.json},
        sensitivity TEXT,
        input_tokens INTEGER, output_tokens INTEGER,
        cost_usd ${t.real},
        latency_ms ${t.real} NOT NULL,
        ttft_ms ${t.real}
      );
      CREATE INDEX request_logs_ts ON request_logs (ts DESC, request_id DESC);
      CREATE INDEX request_logs_tenant_ts ON request_logs (tenant, ts DESC);
    `,
    ),
  },
]
