/**
 * Versioned schema changes, applied in order at start, each once, each in a transaction.
 * A migration is never edited after release: a change is a new version. SQL differs per dialect
 * where types do (SQLite has no BIGINT/JSONB distinction worth having; PostgreSQL does).
 */
export interface Migration {
  version: number
  name: string
  sqlite: string
  postgres: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'request logs',
    sqlite: `
      CREATE TABLE request_logs (
        request_id TEXT NOT NULL,
        ts INTEGER NOT NULL,
        tenant TEXT, key_id TEXT, user_id TEXT, use_case TEXT,
        operation TEXT NOT NULL,
        model_requested TEXT NOT NULL,
        route TEXT, provider TEXT, model_served TEXT,
        status INTEGER NOT NULL,
        error_kind TEXT,
        attempts INTEGER NOT NULL,
        trace TEXT,
        sensitivity TEXT,
        input_tokens INTEGER, output_tokens INTEGER,
        cost_usd REAL,
        latency_ms REAL NOT NULL,
        ttft_ms REAL,
        PRIMARY KEY (request_id)
      );
      CREATE INDEX request_logs_ts ON request_logs (ts DESC, request_id DESC);
      CREATE INDEX request_logs_tenant_ts ON request_logs (tenant, ts DESC);
    `,
    postgres: `
      CREATE TABLE request_logs (
        request_id TEXT NOT NULL PRIMARY KEY,
        ts BIGINT NOT NULL,
        tenant TEXT, key_id TEXT, user_id TEXT, use_case TEXT,
        operation TEXT NOT NULL,
        model_requested TEXT NOT NULL,
        route TEXT, provider TEXT, model_served TEXT,
        status INTEGER NOT NULL,
        error_kind TEXT,
        attempts INTEGER NOT NULL,
        trace JSONB,
        sensitivity TEXT,
        input_tokens INTEGER, output_tokens INTEGER,
        cost_usd DOUBLE PRECISION,
        latency_ms DOUBLE PRECISION NOT NULL,
        ttft_ms DOUBLE PRECISION
      );
      CREATE INDEX request_logs_ts ON request_logs (ts DESC, request_id DESC);
      CREATE INDEX request_logs_tenant_ts ON request_logs (tenant, ts DESC);
    `,
  },
]
