import { describe, expect, it } from 'vitest'
import { protectSchema } from '../config/protect-schema.js'
import { createDataPolicy } from './data-policy.js'

const policy = (input: unknown = {}) => createDataPolicy(protectSchema.parse(input))

describe('data policy', () => {
  it('maps entity types to levels, with config over the defaults and custom types confidential', () => {
    const p = policy({ levels: { email: 'internal' } })
    expect(p.levelOf('card')).toBe('restricted')
    expect(p.levelOf('email')).toBe('internal')
    expect(p.levelOf('employee_id')).toBe('confidential')
    expect(p.detectedLevel(['email', 'iban'])).toBe('restricted')
    expect(p.detectedLevel([])).toBeUndefined()
  })

  it('by default: pseudonymizes personal data and masks secrets for external, allows the rest in clear', () => {
    const p = policy()
    expect(p.actionFor('email', 'external')).toBe('pseudonymize')
    expect(p.actionFor('secret', 'external')).toBe('mask')
    expect(p.actionFor('secret', 'sovereign')).toBe('mask')
    expect(p.actionFor('email', 'onprem')).toBe('allow')
    const types = new Set(['card', 'email'])
    expect(p.decide({ trust: 'external', region: 'us' }, undefined, types)).toMatchObject({
      ok: true,
      level: undefined,
    })
    expect(p.decide({ trust: 'onprem' }, undefined, types)).toMatchObject({ ok: true, level: 'restricted' })
  })

  it('counts only entities sent in clear, never lowers the declared level, and blocks per destination', () => {
    const p = policy({ actions: { card: 'allow', ip: { external: 'block' } } })
    expect(p.decide({ trust: 'external' }, undefined, new Set(['card']))).toEqual({
      ok: false,
      reason: 'data_policy',
      level: 'restricted',
    })
    expect(p.decide({ trust: 'external' }, 'restricted', new Set())).toMatchObject({
      ok: false,
      level: 'restricted',
    })
    expect(p.decide({ trust: 'external' }, undefined, new Set(['ip']))).toEqual({
      ok: false,
      reason: 'blocked_entity',
      type: 'ip',
    })
    expect(p.decide({ trust: 'sovereign' }, undefined, new Set(['ip', 'card']))).toMatchObject({ ok: true })
  })

  it('matches regions by prefix and refuses providers without a region when the policy lists regions', () => {
    const p = policy({ policy: { confidential: { trust: ['external', 'onprem'], regions: ['eu'] } } })
    const base = 'confidential' as const
    expect(p.decide({ trust: 'external', region: 'eu-west-1' }, base, new Set()).ok).toBe(true)
    expect(p.decide({ trust: 'external', region: 'eu' }, base, new Set()).ok).toBe(true)
    expect(p.decide({ trust: 'external', region: 'europe' }, base, new Set()).ok).toBe(false)
    expect(p.decide({ trust: 'onprem' }, base, new Set()).ok).toBe(false)
    expect(p.describe('confidential')).toBe(
      'protect.policy.confidential allows external, onprem providers in region eu',
    )
  })
})
