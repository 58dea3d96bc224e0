import { describe, expect, it } from 'vitest'
import type { RuleConfig } from '../config/schema.js'
import { compileRules, firstMatch, type RuleFacts } from './rules.js'

const facts = (extra: Partial<RuleFacts> = {}): RuleFacts => ({
  model: 'gpt-4o',
  metadata: {},
  inputTokens: async () => 100,
  ...extra,
})
const rule = (name: string, when: RuleConfig['when'], route = 'r'): RuleConfig => ({ name, when, route })

describe('rules', () => {
  it('picks the first rule whose every condition holds', async () => {
    const rules = compileRules([
      rule('health', { domain: 'health', use_case: ['triage', 'notes'] }, 'onprem'),
      rule('any-health', { domain: 'health' }, 'sovereign'),
    ])
    expect((await firstMatch(rules, facts({ domain: 'health', useCase: 'notes' })))?.name).toBe('health')
    expect((await firstMatch(rules, facts({ domain: 'health', useCase: 'billing' })))?.name).toBe(
      'any-health',
    )
    expect(await firstMatch(rules, facts({ domain: 'retail' }))).toBeUndefined()
  })

  it('an empty condition set matches everything', async () => {
    expect((await firstMatch(compileRules([rule('all', {})]), facts()))?.target).toBe('r')
  })

  it('matches sensitivity by list and by floor', async () => {
    const rules = compileRules([rule('floor', { min_sensitivity: 'confidential' })])
    expect(await firstMatch(rules, facts({ sensitivity: 'restricted' }))).toBeDefined()
    expect(await firstMatch(rules, facts({ sensitivity: 'confidential' }))).toBeDefined()
    expect(await firstMatch(rules, facts({ sensitivity: 'internal' }))).toBeUndefined()
    expect(await firstMatch(rules, facts())).toBeUndefined()
    const listed = compileRules([rule('list', { sensitivity: ['public', 'internal'] })])
    expect(await firstMatch(listed, facts({ sensitivity: 'internal' }))).toBeDefined()
  })

  it('globs model names', async () => {
    const rules = compileRules([rule('4o', { model: 'gpt-4o*' })])
    expect(await firstMatch(rules, facts({ model: 'gpt-4o-mini' }))).toBeDefined()
    expect(await firstMatch(rules, facts({ model: 'gpt-4.1' }))).toBeUndefined()
    expect(
      await firstMatch(compileRules([rule('dot', { model: 'a.b' })]), facts({ model: 'axb' })),
    ).toBeUndefined()
  })

  it('matches caller metadata, tenant, user and latency objective', async () => {
    const rules = compileRules([
      rule('m', { metadata: { team: ['risk', 'audit'] }, tenant: 'bank', user: 'u1', latency: 'batch' }),
    ])
    const ok = facts({ metadata: { team: 'risk' }, tenant: 'bank', user: 'u1', latency: 'batch' })
    expect(await firstMatch(rules, ok)).toBeDefined()
    expect(await firstMatch(rules, { ...ok, metadata: { team: 'sales' } })).toBeUndefined()
    expect(await firstMatch(rules, { ...ok, tenant: undefined })).toBeUndefined()
  })

  it('counts tokens only when a rule asks, and only after the cheap checks pass', async () => {
    let counted = 0
    const inputTokens = async () => {
      counted++
      return 5000
    }
    const rules = compileRules([rule('long', { domain: 'legal', input_tokens: { gt: 4000, lte: 8000 } })])
    expect(await firstMatch(rules, facts({ domain: 'retail', inputTokens }))).toBeUndefined()
    expect(counted).toBe(0)
    expect(await firstMatch(rules, facts({ domain: 'legal', inputTokens }))).toBeDefined()
    expect(counted).toBe(1)
  })
})
