import { describe, expect, it } from 'vitest'
import { openSqliteStore } from '../store/sqlite/sqlite-store.js'
import { KeyRing } from './key-ring.js'
import { TenantDirectory } from './tenant-directory.js'

/** Two replicas: two rings (each with its own cache) over one store. */
function replicas() {
  const store = openSqliteStore(':memory:')
  let now = 1_000_000
  const clock = () => now
  return {
    store,
    a: new KeyRing({ store, hashSecret: 'shared-secret', now: clock }),
    b: new KeyRing({ store, hashSecret: 'shared-secret', now: clock }),
    advance: (ms: number) => {
      now += ms
    },
  }
}

describe('KeyRing across replicas', () => {
  it('sees a key made on another replica at once (store lookup), and its revocation after a refresh', async () => {
    const { a, b, store, advance } = replicas()
    await Promise.all([a.refresh(), b.refresh()])
    const { key } = await a.create({ tenant: 'acme', name: 'svc' })
    // Unknown to b's cache: found in the store on first use.
    expect((await b.authenticate(key))?.keyName).toBe('svc')
    await a.revoke(key.split('_')[1]!)
    expect(await a.authenticate(key)).toBeUndefined()
    // b still holds the key in its cache until its next refresh...
    advance(1)
    expect(await b.authenticate(key)).toBeDefined()
    // ...which picks up the revocation.
    await b.refresh()
    expect(await b.authenticate(key)).toBeUndefined()
    await store.close()
  })

  it('remembers an unknown id briefly instead of asking the store on every attempt', async () => {
    const store = openSqliteStore(':memory:')
    let now = 1_000_000
    let lookups = 0
    const counting = {
      ...store,
      getKey(id: string) {
        lookups++
        return store.getKey(id)
      },
    }
    const ring = new KeyRing({ store: counting, hashSecret: 's', now: () => now })
    await ring.refresh()
    const made = await new KeyRing({ store, hashSecret: 's', now: () => now }).create({
      tenant: 'a',
      name: 'x',
    })
    const unknown = made.key.replace(/^gth_[a-z2-9]{12}/, 'gth_zzzzzzzzzzzz')
    for (let i = 0; i < 5; i++) expect(await ring.authenticate(unknown)).toBeUndefined()
    expect(lookups).toBe(1)
    now += 6_000
    expect(await ring.authenticate(unknown)).toBeUndefined()
    expect(lookups).toBe(2)
    await store.close()
  })

  it('writes last use in batches on refresh, not on the call', async () => {
    const { a, store } = replicas()
    await a.refresh()
    const { key, record } = await a.create({ tenant: 'acme', name: 'svc' })
    await a.authenticate(key)
    expect((await store.getKey(record.id))?.lastUsedAt).toBeUndefined()
    await a.refresh()
    expect((await store.getKey(record.id))?.lastUsedAt).toBe(1_000_000)
    await store.close()
  })
})

describe('TenantDirectory across replicas', () => {
  it('picks up a tenant created on another replica with the next refresh', async () => {
    const store = openSqliteStore(':memory:')
    const a = new TenantDirectory(store)
    const b = new TenantDirectory(store)
    await Promise.all([a.refresh(), b.refresh()])
    await a.put('initech', { models: ['chat'] })
    expect(b.get('initech')).toBeUndefined()
    await b.refresh()
    expect(b.get('initech')).toEqual({ models: ['chat'] })
    await store.close()
  })
})
