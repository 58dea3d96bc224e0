import { describe, expect, it } from 'vitest'
import { protectSchema } from '../config/protect-schema.js'
import { createProtector } from './create-protector.js'

describe('protector', () => {
  it('derives a hash key per tenant: stable for one tenant, different across tenants and secrets', async () => {
    const a = createProtector(protectSchema.parse({}), { secret: 'store-secret-1' })
    const b = createProtector(protectSchema.parse({}), { secret: 'store-secret-2' })
    expect(a.hashKey('bank').equals(a.hashKey('bank'))).toBe(true)
    expect(a.hashKey('bank').equals(a.hashKey('clinic'))).toBe(false)
    expect(a.hashKey('bank').equals(b.hashKey('bank'))).toBe(false)
    await Promise.all([a.close(), b.close()])
  })
})
