import type { BudgetConfig, LimitConfig, Role, TenantConfig } from '../config/access-schema.js'

/**
 * Keys, settings and spend: small tables whose SQL is the same in both dialects, written once
 * against a runner that takes `?` placeholders (the PostgreSQL store numbers them).
 */
export interface SqlRunner {
  all(sql: string, params: readonly unknown[]): Promise<Array<Record<string, unknown>>>
  /** Returns the number of rows changed. */
  run(sql: string, params: readonly unknown[]): Promise<number>
}

export interface KeyRecord {
  id: string
  name: string
  tenant: string
  role: Role
  /** Keyed hash (HMAC-SHA256) of the whole key. */
  hash: string
  /** `gth_<id>_abcde…`, for listings. */
  prefix: string
  models?: string[] | undefined
  limits?: LimitConfig | undefined
  budget?: BudgetConfig | undefined
  /** Epoch milliseconds, as every time below. */
  createdAt: number
  updatedAt: number
  expiresAt?: number | undefined
  revokedAt?: number | undefined
  lastUsedAt?: number | undefined
  /** After a rotation, the old key's hash stays valid until `previousValidUntil`. */
  previousHash?: string | undefined
  previousValidUntil?: number | undefined
}

export type KeyPatch = Partial<
  Pick<
    KeyRecord,
    'hash' | 'prefix' | 'expiresAt' | 'revokedAt' | 'previousHash' | 'previousValidUntil' | 'budget'
  >
> & { updatedAt: number }

/** A tenant created through the admin API (config tenants are never stored). */
export interface TenantRecord {
  name: string
  settings: TenantConfig
  createdAt: number
  updatedAt: number
}

/** Spend per scope (`tenant` or `key`), subject and period (`d:2026-11-29`, `m:2026-11`). */
export interface SpendDelta {
  scope: string
  subject: string
  period: string
  usd: number
}

export interface AccessStore {
  insertKey(key: KeyRecord): Promise<void>
  getKey(id: string): Promise<KeyRecord | undefined>
  listKeys(filter?: { tenant?: string | undefined }): Promise<KeyRecord[]>
  /** Keys created or changed at or after `sinceMs`, for replicas to refresh their cache. */
  keysUpdatedSince(sinceMs: number): Promise<KeyRecord[]>
  updateKey(id: string, patch: KeyPatch): Promise<boolean>
  /** Last-used times, batched: a call never waits on this write. */
  touchKeys(lastUsed: ReadonlyMap<string, number>): Promise<void>
  /** The stored value, or `value` stored now if there was none (first writer wins). */
  initSetting(name: string, value: string): Promise<string>
  addSpend(deltas: readonly SpendDelta[]): Promise<void>
  getSpend(scope: string, subject: string, period: string): Promise<number>
  /** Create or replace; `createdAt` is kept from the first write. */
  putTenant(tenant: TenantRecord): Promise<void>
  listTenants(): Promise<TenantRecord[]>
  tenantsUpdatedSince(sinceMs: number): Promise<TenantRecord[]>
}

const KEY_COLUMNS = [
  'id',
  'name',
  'tenant',
  'role',
  'hash',
  'prefix',
  'models',
  'limits',
  'budget',
  'created_at',
  'updated_at',
  'expires_at',
  'revoked_at',
  'last_used_at',
  'previous_hash',
  'previous_valid_until',
] as const

const PATCH_COLUMNS: Record<Exclude<keyof KeyPatch, never>, string> = {
  hash: 'hash',
  prefix: 'prefix',
  expiresAt: 'expires_at',
  revokedAt: 'revoked_at',
  previousHash: 'previous_hash',
  previousValidUntil: 'previous_valid_until',
  budget: 'budget',
  updatedAt: 'updated_at',
}

export function createAccessStore(db: SqlRunner): AccessStore {
  const selectKeys = `SELECT ${KEY_COLUMNS.join(', ')} FROM api_keys`
  return {
    async insertKey(key) {
      await db.run(
        `INSERT INTO api_keys (${KEY_COLUMNS.join(', ')}) VALUES (${KEY_COLUMNS.map(() => '?').join(', ')})`,
        keyRow(key),
      )
    },
    async getKey(id) {
      const rows = await db.all(`${selectKeys} WHERE id = ?`, [id])
      return rows[0] && keyRecord(rows[0])
    },
    async listKeys(filter = {}) {
      const rows =
        filter.tenant === undefined
          ? await db.all(`${selectKeys} ORDER BY created_at, id`, [])
          : await db.all(`${selectKeys} WHERE tenant = ? ORDER BY created_at, id`, [filter.tenant])
      return rows.map(keyRecord)
    },
    async keysUpdatedSince(sinceMs) {
      return (await db.all(`${selectKeys} WHERE updated_at >= ?`, [sinceMs])).map(keyRecord)
    },
    async updateKey(id, patch) {
      const entries = Object.entries(patch) as Array<[keyof KeyPatch, unknown]>
      const set = entries.map(([field]) => `${PATCH_COLUMNS[field]} = ?`).join(', ')
      const values = entries.map(([field, v]) =>
        v === undefined ? null : field === 'budget' ? JSON.stringify(v) : v,
      )
      return (await db.run(`UPDATE api_keys SET ${set} WHERE id = ?`, [...values, id])) > 0
    },
    async touchKeys(lastUsed) {
      for (const [id, at] of lastUsed) {
        await db.run(
          'UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)',
          [at, id, at],
        )
      }
    },
    async initSetting(name, value) {
      await db.run('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [
        name,
        value,
      ])
      const rows = await db.all('SELECT value FROM settings WHERE name = ?', [name])
      return String(rows[0]!['value'])
    },
    async addSpend(deltas) {
      for (const d of deltas) {
        await db.run(
          'INSERT INTO spend (scope, subject, period, usd) VALUES (?, ?, ?, ?) ' +
            'ON CONFLICT (scope, subject, period) DO UPDATE SET usd = spend.usd + excluded.usd',
          [d.scope, d.subject, d.period, d.usd],
        )
      }
    },
    async putTenant(t) {
      await db.run(
        'INSERT INTO tenants (name, settings, created_at, updated_at) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (name) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at',
        [t.name, JSON.stringify(t.settings), t.createdAt, t.updatedAt],
      )
    },
    async listTenants() {
      return (await db.all('SELECT * FROM tenants ORDER BY name', [])).map(tenantRecord)
    },
    async tenantsUpdatedSince(sinceMs) {
      return (await db.all('SELECT * FROM tenants WHERE updated_at >= ?', [sinceMs])).map(tenantRecord)
    },
    async getSpend(scope, subject, period) {
      const rows = await db.all('SELECT usd FROM spend WHERE scope = ? AND subject = ? AND period = ?', [
        scope,
        subject,
        period,
      ])
      return rows[0] ? Number(rows[0]['usd']) : 0
    },
  }
}

function tenantRecord(row: Record<string, unknown>): TenantRecord {
  const settings = row['settings']
  return {
    name: String(row['name']),
    settings: (typeof settings === 'string' ? JSON.parse(settings) : settings) as TenantConfig,
    createdAt: Number(row['created_at']),
    updatedAt: Number(row['updated_at']),
  }
}

function keyRow(k: KeyRecord): unknown[] {
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v))
  return [
    k.id,
    k.name,
    k.tenant,
    k.role,
    k.hash,
    k.prefix,
    json(k.models),
    json(k.limits),
    json(k.budget),
    k.createdAt,
    k.updatedAt,
    k.expiresAt ?? null,
    k.revokedAt ?? null,
    k.lastUsedAt ?? null,
    k.previousHash ?? null,
    k.previousValidUntil ?? null,
  ]
}

function keyRecord(row: Record<string, unknown>): KeyRecord {
  const num = (v: unknown) => (v === null || v === undefined ? undefined : Number(v))
  const json = (v: unknown) =>
    v === null || v === undefined ? undefined : typeof v === 'string' ? JSON.parse(v) : v
  return {
    id: String(row['id']),
    name: String(row['name']),
    tenant: String(row['tenant']),
    role: String(row['role']) as Role,
    hash: String(row['hash']),
    prefix: String(row['prefix']),
    models: json(row['models']),
    limits: json(row['limits']),
    budget: json(row['budget']),
    createdAt: Number(row['created_at']),
    updatedAt: Number(row['updated_at']),
    expiresAt: num(row['expires_at']),
    revokedAt: num(row['revoked_at']),
    lastUsedAt: num(row['last_used_at']),
    previousHash: row['previous_hash'] === null ? undefined : (row['previous_hash'] as string | undefined),
    previousValidUntil: num(row['previous_valid_until']),
  }
}
