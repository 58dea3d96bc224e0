import { readFileSync } from 'node:fs'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { type LoadResult, parseConfig } from './load.js'

function errorsOf(result: LoadResult): string[] {
  if (result.ok) throw new Error('expected config errors, the config was accepted')
  return result.errors
}

describe('parseConfig: tracing', () => {
  it('is off by default, with an OTLP/HTTP endpoint on localhost and no content', () => {
    const result = parseConfig('{}', {})
    if (!result.ok) throw new Error(result.errors.join('\n'))
    expect(result.config.tracing).toMatchObject({
      enabled: false,
      otlp_endpoint: 'http://127.0.0.1:4318/v1/traces',
      service_name: 'gatehouse',
      sample_ratio: 1,
      capture_content: false,
    })
  })

  it('keeps export headers secret', () => {
    const result = parseConfig(
      'tracing: { enabled: true, headers: { authorization: "Bearer ${OTLP_TOKEN}" } }',
      { OTLP_TOKEN: 'otlp-secret-token' },
    )
    if (!result.ok) throw new Error(result.errors.join('\n'))
    expect(result.config.tracing.headers['authorization']?.reveal()).toBe('Bearer otlp-secret-token')
    expect(JSON.stringify(result.config)).not.toContain('otlp-secret-token')
    expect(inspect(result.config, { depth: 10 })).not.toContain('otlp-secret-token')
  })

  it('names the key of each mistake', () => {
    expect(errorsOf(parseConfig('tracing: { enabled: yes }', {}))).toEqual([
      'tracing.enabled: expected boolean, got a string',
    ])
    expect(errorsOf(parseConfig('tracing: { otlp_endpoint: "grpc://collector:4317" }', {}))).toEqual([
      'tracing.otlp_endpoint: expected an http(s) URL such as http://127.0.0.1:4318/v1/traces',
    ])
    expect(errorsOf(parseConfig('tracing: { sample_ratio: 1.5 }', {}))).toEqual([
      'tracing.sample_ratio: expected a ratio from 0 to 1',
    ])
    expect(errorsOf(parseConfig('tracing: { sampel_ratio: 0.5 }', {}))[0]).toMatch(
      /^tracing: unknown key "sampel_ratio"/,
    )
    expect(errorsOf(parseConfig('tracing: { headers: { authorization: "" } }', {}))).toEqual([
      'tracing.headers.authorization: must not be empty',
    ])
  })

  it("accepts the README's configuration reference block as written", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const block = /^tracing:.*\n(?: {2}.*\n)+/m.exec(
      readme.slice(readme.indexOf('## Configuration reference')),
    )
    expect(block).not.toBeNull()
    const result = parseConfig(block![0].replace('enabled: false', 'enabled: true'), { OTLP_TOKEN: 't' })
    expect(result.ok ? [] : result.errors).toEqual([])
    if (result.ok) expect(result.config.tracing.enabled).toBe(true)
  })
})
