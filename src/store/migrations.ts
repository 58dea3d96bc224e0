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
  {
    version: 2,
    name: 'keys, settings and spend',
    ...both(
      (t) => `
      CREATE TABLE api_keys (
        id TEXT NOT NULL PRIMARY KEY,
        name TEXT NOT NULL,
        tenant TEXT NOT NULL,
        role TEXT NOT NULL,
        hash TEXT NOT NULL,
        prefix TEXT NOT NULL,
        models ${t.json}, limits ${t.json}, budget ${t.json},
        created_at ${t.bigint} NOT NULL,
        updated_at ${t.bigint} NOT NULL,
        expires_at ${t.bigint}, revoked_at ${t.bigint}, last_used_at ${t.bigint},
        previous_hash TEXT, previous_valid_until ${t.bigint}
      );
      CREATE INDEX api_keys_tenant ON api_keys (tenant);
      CREATE INDEX api_keys_updated ON api_keys (updated_at);
      CREATE TABLE settings (name TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE spend (
        scope TEXT NOT NULL, subject TEXT NOT NULL, period TEXT NOT NULL,
        usd ${t.real} NOT NULL,
        PRIMARY KEY (scope, subject, period)
      );
    `,
    ),
  },
  {
    version: 3,
    name: 'tenants managed through the admin API',
    ...both(
      (t) => `
      CREATE TABLE tenants (
        name TEXT NOT NULL PRIMARY KEY,
        settings ${t.json} NOT NULL,
        created_at ${t.bigint} NOT NULL,
        updated_at ${t.bigint} NOT NULL
      );
      CREATE INDEX tenants_updated ON tenants (updated_at);
    `,
    ),
  },
  {
    version: 4,
    name: 'request bodies: metadata, and sealed text with its key id',
    ...both(
      (t) => `
      ALTER TABLE request_logs ADD COLUMN body_meta ${t.json};
      ALTER TABLE request_logs ADD COLUMN bodies TEXT;
      ALTER TABLE request_logs ADD COLUMN body_key_id TEXT;
    `,
    ),
  },
  {
    version: 5,
    name: 'feedback',
    // No foreign key: SQLite enforces none by default, and feedback may arrive for a request
    // whose record is still queued. Retention deletes a request's feedback with its record.
    ...both(
      (t) => `
      CREATE TABLE feedback (
        id TEXT NOT NULL PRIMARY KEY,
        request_id TEXT NOT NULL,
        request_ts ${t.bigint} NOT NULL,
        tenant TEXT, key_id TEXT,
        score ${t.real} NOT NULL,
        comment TEXT,
        ts ${t.bigint} NOT NULL
      );
      CREATE INDEX feedback_request ON feedback (request_id);
      CREATE INDEX feedback_request_ts ON feedback (request_ts);
    `,
    ),
  },
  {
    version: 6,
    name: 'request logs: trace id, prompt, context sources, upstream time',
    ...both(
      () => `
      ALTER TABLE request_logs ADD COLUMN trace_id TEXT;
      ALTER TABLE request_logs ADD COLUMN prompt TEXT;
      ALTER TABLE request_logs ADD COLUMN context_sources TEXT;
      ALTER TABLE request_logs ADD COLUMN upstream_ms REAL;
    `,
    ),
  },
  {
    version: 7,
    name: 'request logs: the model version the provider answered with',
    ...both(
      () => `
      ALTER TABLE request_logs ADD COLUMN model_version TEXT;
    `,
    ),
  },
  {
    version: 8,
    name: 'request logs: redaction counts and guardrail verdicts',
    ...both(
      (t) => `
      ALTER TABLE request_logs ADD COLUMN redactions ${t.json};
      ALTER TABLE request_logs ADD COLUMN guardrails ${t.json};
    `,
    ),
  },
]
