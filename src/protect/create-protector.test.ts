import { describe, expect, it, vi } from 'vitest'
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

  it('scans a long system prompt once, as applications send the same one with every request', async () => {
    const p = createProtector(protectSchema.parse({}), { secret: 's' })
    const system = `You are the support assistant of ACME. Escalations go to ops@acme.example. ${'Be brief. '.repeat(40)}`
    const scan = vi.spyOn(p.detector, 'scan')
    const ask = (question: string) =>
      p.scan({
        model: 'm',
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: question },
        ],
      })
    const first = await ask('Where is my parcel?')
    const second = await ask('Write to ada@example.com please.')
    // Two texts scanned for the first request, only the new question for the second.
    expect(scan.mock.calls.map(([text]) => text === system)).toEqual([true, false, false])
    // The cached findings are the system prompt's own, and the new question is still scanned.
    expect(second.findings[0]).toEqual(first.findings[0])
    expect(first.counts).toEqual({ email: 1 })
    expect(second.counts).toEqual({ email: 2 })
    await p.close()
  })
})
