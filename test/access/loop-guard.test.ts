import { afterEach, describe, expect, it } from 'vitest'
import type { TestGateway } from '../helpers/gateway.js'
import { chat, createKey, startAccessGateway } from './access-helpers.js'

const say = (text: string) => ({ messages: [{ role: 'user', content: text }] })

describe('runaway-loop guard', () => {
  let gateway: TestGateway
  afterEach(async () => {
    await gateway?.close()
  })

  it('blocks the same or a near-identical prompt from one key past max_repeats a minute, and alerts once', async () => {
    gateway = await startAccessGateway({ loop_guard: { max_repeats: 3, action: 'block', block_s: 120 } })
    const { key } = await createKey(gateway, { tenant: 'acme', name: 'agent' })
    for (let i = 0; i < 3; i++)
      expect((await chat(gateway, key, say(`Retry step ${i}: fetch the page`))).status).toBe(200)
    // Digits, case and spacing differ: still the same prompt.
    const looped = await chat(gateway, key, say('retry  STEP 7: fetch the page'))
    expect(looped.status).toBe(429)
    expect(looped.json.error.code).toBe('loop_detected')
    expect(looped.json.error.message).not.toContain('fetch the page')
    expect(Number(looped.headers.get('retry-after'))).toBeGreaterThan(100)
    expect((await chat(gateway, key, say('Retry step 8: fetch the page'))).status).toBe(429)
    // Another prompt, or the same prompt from another key, is not affected.
    expect((await chat(gateway, key, say('Summarise the page'))).status).toBe(200)
    const other = await createKey(gateway, { tenant: 'acme', name: 'human' })
    expect((await chat(gateway, other.key, say('Retry step 9: fetch the page'))).status).toBe(200)
    const alerts = gateway.logs.filter((l) => l['msg'] === 'alert: loop.detected')
    expect(alerts).toHaveLength(1)
    expect(alerts[0]!['alert']).toMatchObject({ event: 'loop.detected', tenant: 'acme', action: 'block' })
  })

  it('only alerts by default', async () => {
    gateway = await startAccessGateway({ loop_guard: { max_repeats: 2 } })
    const { key } = await createKey(gateway, { tenant: 'acme', name: 'agent' })
    for (let i = 0; i < 5; i++) expect((await chat(gateway, key, say('same'))).status).toBe(200)
    expect(gateway.logs.filter((l) => l['msg'] === 'alert: loop.detected')).toHaveLength(1)
  })
})
