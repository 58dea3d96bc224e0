import type { BudgetConfig, LimitConfig, Role } from '../config/access-schema.js'
import type { KeyRecord, Store } from '../store/store.js'
import type { Principal } from './principal.js'
import { displayPrefix, generateKey, hashKey, keyIdOf, regenerateKey, sameHash } from './virtual-key.js'

export interface NewKeyRequest {
  tenant: string
  name: string
  role?: Role | undefined
  models?: string[] | undefined
  limits?: LimitConfig | undefined
  budget?: BudgetConfig | undefined
  /** Epoch milliseconds. */
  expiresAt?: number | undefined
}

export interface KeyRingOptions {
  store: Pick<
    Store,
    'insertKey' | 'getKey' | 'listKeys' | 'keysUpdatedSince' | 'updateKey' | 'touchKeys' | 'initSetting'
  >
  hashSecret: string
  now?: () => number
}

/** How long an unknown key id is remembered as unknown, so a spray of made-up keys stays off the store. */
const NEGATIVE_TTL_MS = 5_000
const NEGATIVE_MAX = 10_000

/**
 * Virtual keys from the store, cached in memory: the hot path is a map lookup and one HMAC. Keys
 * created or revoked by another replica arrive with the next `refresh()` (every `auth.refresh_s`);
 * revocation on this replica takes effect at once. Last-used times are buffered and written by
 * `refresh()`, never on the request path.
 */
export class KeyRing {
  readonly #store: KeyRingOptions['store']
  readonly #secret: string
  readonly #now: () => number
  readonly #keys = new Map<string, KeyRecord>()
  readonly #unknown = new Map<string, number>()
  #lastUsed = new Map<string, number>()
  #syncedAtMs = 0

  constructor(options: KeyRingOptions) {
    this.#store = options.store
    this.#secret = options.hashSecret
    this.#now = options.now ?? Date.now
  }

  /** Load every key (at start) or the ones changed since the last call, and write last-used times. */
  async refresh(): Promise<void> {
    const startedAt = this.#now()
    // A little overlap: a row committed in the same millisecond as the previous sync is not missed.
    const changed =
      this.#syncedAtMs === 0
        ? await this.#store.listKeys()
        : await this.#store.keysUpdatedSince(this.#syncedAtMs - 1_000)
    for (const key of changed) {
      this.#keys.set(key.id, key)
      this.#unknown.delete(key.id)
    }
    this.#syncedAtMs = startedAt
    if (this.#lastUsed.size > 0) {
      const batch = this.#lastUsed
      this.#lastUsed = new Map()
      await this.#store.touchKeys(batch)
    }
  }

  /** The principal for a well-formed, valid, unexpired and unrevoked key; otherwise undefined. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const id = keyIdOf(token)
    if (id === undefined) return undefined
    const record = this.#keys.get(id) ?? (await this.#lookup(id))
    if (!record) return undefined
    const now = this.#now()
    if (record.revokedAt !== undefined && record.revokedAt <= now) return undefined
    if (record.expiresAt !== undefined && record.expiresAt <= now) return undefined
    const hash = hashKey(token, this.#secret)
    const current = sameHash(hash, record.hash)
    const previous =
      record.previousHash !== undefined &&
      (record.previousValidUntil ?? 0) > now &&
      sameHash(hash, record.previousHash)
    if (!current && !previous) return undefined
    this.#lastUsed.set(id, now)
    return principalOf(record)
  }

  async create(request: NewKeyRequest): Promise<{ key: string; record: KeyRecord }> {
    const { id, key } = generateKey()
    const now = this.#now()
    const record: KeyRecord = {
      id,
      name: request.name,
      tenant: request.tenant,
      role: request.role ?? 'user',
      hash: hashKey(key, this.#secret),
      prefix: displayPrefix(key),
      models: request.models,
      limits: request.limits,
      budget: request.budget,
      createdAt: now,
      updatedAt: now,
      expiresAt: request.expiresAt,
    }
    await this.#store.insertKey(record)
    this.#keys.set(id, record)
    this.#unknown.delete(id)
    return { key, record }
  }

  async list(tenant?: string): Promise<KeyRecord[]> {
    return this.#store.listKeys({ tenant })
  }

  async get(id: string): Promise<KeyRecord | undefined> {
    return this.#store.getKey(id)
  }

  async revoke(id: string): Promise<KeyRecord | undefined> {
    const now = this.#now()
    if (!(await this.#store.updateKey(id, { revokedAt: now, updatedAt: now }))) return undefined
    return this.#reload(id)
  }

  async setBudget(id: string, budget: BudgetConfig | undefined): Promise<KeyRecord | undefined> {
    if (!(await this.#store.updateKey(id, { budget, updatedAt: this.#now() }))) return undefined
    return this.#reload(id)
  }

  /** A new secret for the same key; the old one keeps working for `graceMs` (0: not at all). */
  async rotate(id: string, graceMs: number): Promise<{ key: string; record: KeyRecord } | undefined> {
    const existing = await this.#store.getKey(id)
    if (!existing || existing.revokedAt !== undefined) return undefined
    const key = regenerateKey(id)
    const now = this.#now()
    await this.#store.updateKey(id, {
      hash: hashKey(key, this.#secret),
      prefix: displayPrefix(key),
      previousHash: graceMs > 0 ? existing.hash : undefined,
      previousValidUntil: graceMs > 0 ? now + graceMs : undefined,
      updatedAt: now,
    })
    const record = await this.#reload(id)
    return record && { key, record }
  }

  async #reload(id: string): Promise<KeyRecord | undefined> {
    const record = await this.#store.getKey(id)
    if (record) this.#keys.set(id, record)
    return record
  }

  /** A key made on another replica since the last refresh: ask the store, remember misses briefly. */
  async #lookup(id: string): Promise<KeyRecord | undefined> {
    const missedAt = this.#unknown.get(id)
    if (missedAt !== undefined && this.#now() - missedAt < NEGATIVE_TTL_MS) return undefined
    const record = await this.#store.getKey(id)
    if (record) {
      this.#keys.set(id, record)
      return record
    }
    if (this.#unknown.size >= NEGATIVE_MAX) this.#unknown.clear()
    this.#unknown.set(id, this.#now())
    return undefined
  }
}

export function principalOf(record: KeyRecord): Principal {
  return {
    keyId: record.id,
    keyName: record.name,
    tenant: record.tenant,
    role: record.role,
    models: record.models,
    limits: record.limits,
    budget: record.budget,
  }
}
