import type { TenantConfig } from '../config/access-schema.js'
import type { Store, TenantRecord } from '../store/store.js'

/**
 * Tenants created through the admin API, cached in memory like keys: the request path reads a
 * map. Config tenants take precedence and are never stored (GitOps stays the source of truth for
 * them); replicas see API changes within `auth.refresh_s`.
 */
export class TenantDirectory {
  readonly #store: Pick<Store, 'putTenant' | 'listTenants' | 'tenantsUpdatedSince'>
  readonly #now: () => number
  readonly #tenants = new Map<string, TenantRecord>()
  #syncedAtMs = 0

  constructor(
    store: Pick<Store, 'putTenant' | 'listTenants' | 'tenantsUpdatedSince'>,
    now: () => number = Date.now,
  ) {
    this.#store = store
    this.#now = now
  }

  get(name: string): TenantConfig | undefined {
    return this.#tenants.get(name)?.settings
  }

  list(): TenantRecord[] {
    return [...this.#tenants.values()].sort((a, b) => a.name.localeCompare(b.name))
  }

  async refresh(): Promise<void> {
    const startedAt = this.#now()
    const changed =
      this.#syncedAtMs === 0
        ? await this.#store.listTenants()
        : await this.#store.tenantsUpdatedSince(this.#syncedAtMs - 1_000)
    for (const tenant of changed) this.#tenants.set(tenant.name, tenant)
    this.#syncedAtMs = startedAt
  }

  async put(name: string, settings: TenantConfig): Promise<TenantRecord> {
    const now = this.#now()
    const record: TenantRecord = {
      name,
      settings,
      createdAt: this.#tenants.get(name)?.createdAt ?? now,
      updatedAt: now,
    }
    await this.#store.putTenant(record)
    this.#tenants.set(name, record)
    return record
  }
}
