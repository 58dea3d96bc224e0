import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { Secret } from './secret.js'

describe('Secret', () => {
  const secret = new Secret('sk-live-123456')

  it('never prints its value', () => {
    expect(JSON.stringify({ key: secret })).toBe('{"key":"[redacted]"}')
    expect(inspect({ key: secret })).not.toContain('sk-live')
    expect(`${secret}`).toBe('[redacted]')
  })

  it('reveals the value on purpose', () => {
    expect(secret.reveal()).toBe('sk-live-123456')
  })
})
