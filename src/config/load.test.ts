// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text with ${VAR} references
import { readFileSync } from 'node:fs'
import { inspect } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type LoadResult, parseConfig, type ResolvedConfig } from './load.js'
import { Secret } from './secret.js'

function ok(result: LoadResult): ResolvedConfig {
  if (!result.ok) throw new Error(`expected a valid config, got:\n  ${result.errors.join('\n  ')}`)
  return result.config
}

function errorsOf(result: LoadResult): string[] {
  if (result.ok) throw new Error('expected config errors, the config was accepted')
  return result.errors
}

/** One simulated provider `p` and two models on it, plus whatever YAML follows. */
const base = (more = '') => `
providers:
  p: { kind: simulated }
models:
  gpt-4o-mini: { provider: p }
  secure-llm: { provider: p }
${more}`

describe('parseConfig: ${ENV} substitution', () => {
  it('replaces ${VAR} and ${VAR:-default} inside string values', () => {
    const config = ok(
      parseConfig(
        `
providers:
  vllm:
    kind: openai-compatible
    base_url: http://\${GPU_HOST}:\${GPU_PORT:-8000}/v1
    region: \${REGION:-eu-west-1}
models:
  m: { provider: vllm, model: "\${MODEL_PREFIX}/llama-\${MODEL_SIZE:-8b}" }
`,
        { GPU_HOST: 'gpu01', MODEL_PREFIX: 'meta', MODEL_SIZE: '70b' },
      ),
    )
    expect(config.providers['vllm']!.base_url).toBe('http://gpu01:8000/v1')
    expect(config.providers['vllm']!.region).toBe('eu-west-1')
    expect(config.models['m']!.model).toBe('meta/llama-70b')
  })

  it('prefers a set variable over the default, and uses the default for an empty one', () => {
    const text = 'providers:\n  p: { kind: simulated, region: "${REGION:-us}" }'
    expect(ok(parseConfig(text, { REGION: 'eu' })).providers['p']!.region).toBe('eu')
    expect(ok(parseConfig(text, { REGION: '' })).providers['p']!.region).toBe('us')
    expect(ok(parseConfig(text, {})).providers['p']!.region).toBe('us')
  })

  it('reads $${ as a literal ${ and does not substitute after it', () => {
    const config = ok(
      parseConfig('providers:\n  p: { kind: simulated, region: "cost $${X} and $${Y:-z}, not ${X}" }', {
        X: 'ex',
      }),
    )
    expect(config.providers['p']!.region).toBe('cost ${X} and ${Y:-z}, not ex')
  })

  it('reports a missing variable with its key path, its name and a hint', () => {
    const errors = errorsOf(
      parseConfig('providers:\n  openai: { kind: openai, api_key: "${OPENAI_API_KEY}" }', {}),
    )
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('providers.openai.api_key')
    expect(errors[0]).toContain('OPENAI_API_KEY is not set')
    expect(errors[0]).toMatch(/hint: export OPENAI_API_KEY=.*\$\{OPENAI_API_KEY:-default\}/)
  })

  it('reports every missing variable, with list indexes in the path', () => {
    const errors = errorsOf(
      parseConfig(base('routes:\n  chat: { targets: [gpt-4o-mini, "${SECOND}"] }\n') + 'x: ${ALSO}', {}),
    )
    expect(errors).toEqual([
      expect.stringMatching(/^routes\.chat\.targets\[1\]: environment variable SECOND is not set/),
      expect.stringMatching(/^x: environment variable ALSO is not set/),
    ])
  })

  it('never changes the YAML structure: a value with newlines and colons stays one string', () => {
    const injected = 'eu\n  evil: 1\ntrust: onprem'
    const config = ok(
      parseConfig('providers:\n  p: { kind: openai, api_key: k, region: "${REGION}" }', { REGION: injected }),
    )
    const p = config.providers['p']!
    expect(p.region).toBe(injected)
    expect(p.trust).toBe('external')
    expect(p).not.toHaveProperty('evil')
    expect(config).not.toHaveProperty('trust')
  })

  it('does not substitute inside keys, nor expand variables found in substituted values', () => {
    const config = ok(
      parseConfig('providers:\n  p: { kind: simulated, region: "${A}" }', { A: '${B}', B: 'expanded' }),
    )
    expect(config.providers['p']!.region).toBe('${B}')
    const keyed = errorsOf(parseConfig('server:\n  ${KEY}: 1', { KEY: 'port' }))
    expect(keyed[0]).toContain('unknown key "${KEY}"')
  })

  it('gives back any non-empty env value exactly (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: 'binary' }), fc.string({ minLength: 1 }), (region, id) => {
        const result = parseConfig(
          'providers:\n  p: { kind: simulated, region: "${REGION}" }\nmodels:\n  m: { provider: p, model: "${MODEL_ID}" }',
          { REGION: region, MODEL_ID: id },
        )
        const config = ok(result)
        expect(config.providers['p']!.region).toBe(region)
        expect(config.models['m']!.model).toBe(id)
      }),
      { numRuns: 300 },
    )
  })
})

describe('parseConfig: errors name the key path and what was expected', () => {
  it('rejects an unknown top-level key', () => {
    const errors = errorsOf(parseConfig('provders:\n  p: { kind: simulated }', {}))
    expect(errors).toEqual([
      expect.stringMatching(/^\(top level\): unknown key "provders" \(check the spelling/),
    ])
  })

  it('rejects a misspelt provider key', () => {
    const errors = errorsOf(parseConfig('providers:\n  openai: { kind: openai, api_kye: sk-x }', {}))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^providers\.openai: unknown key "api_kye"/)
  })

  it('rejects a wrong type and says what it got, not that the key is missing', () => {
    expect(errorsOf(parseConfig('server: { port: "abc" }', {}))).toEqual([
      'server.port: expected number, got a string',
    ])
    expect(errorsOf(parseConfig('- a\n- b', {}))).toEqual(['(top level): expected object, got a list'])
  })

  it('says "required" for a missing key', () => {
    const errors = errorsOf(parseConfig(base('  m: { model: x }'), {}))
    expect(errors).toEqual(['models.m.provider: required (expected string)'])
  })

  it('rejects an out-of-range value with the bound', () => {
    const errors = errorsOf(parseConfig('server: { port: 70000 }', {}))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^server\.port: .*65535/)
  })

  it('lists the allowed provider kinds for a bad kind', () => {
    const errors = errorsOf(parseConfig('providers:\n  openai: { kind: opnai }', {}))
    // A prefix: each provider kind added later extends the list.
    expect(errors).toEqual([
      expect.stringMatching(/^providers\.openai\.kind: expected one of openai, openai-compatible, simulated/),
    ])
  })

  it('explains an invalid provider name', () => {
    const errors = errorsOf(parseConfig('providers:\n  "my provider!": { kind: simulated }', {}))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^providers\.my provider!: invalid name \(names use letters, digits/)
  })

  it('lists the known providers for a model with an unknown provider', () => {
    const errors = errorsOf(parseConfig(base('  m: { provider: opnai }'), {}))
    expect(errors).toEqual(['models.m.provider: unknown provider "opnai" (known: p)'])
    const none = errorsOf(parseConfig('models:\n  m: { provider: openai }', {}))
    expect(none).toEqual(['models.m.provider: unknown provider "openai" (known: none defined)'])
  })

  it('lists the known models for a route target that is neither a model nor a route', () => {
    const errors = errorsOf(parseConfig(base('routes:\n  chat: { targets: [gpt-4o-mini, gpt4o] }'), {}))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(
      /^routes\.chat\.targets\[1\]: unknown model "gpt4o" \(known: gpt-4o-mini, secure-llm/,
    )
  })

  it('rejects a route named like a model', () => {
    const errors = errorsOf(parseConfig(base('routes:\n  secure-llm: { targets: [gpt-4o-mini] }'), {}))
    expect(errors).toEqual([expect.stringMatching(/^routes\.secure-llm: the name is already a model/)])
  })

  it('rejects routes that refer to each other in a loop', () => {
    const errors = errorsOf(
      parseConfig(
        base(`routes:
  a: { targets: [b] }
  b: { targets: [c, gpt-4o-mini] }
  c: { targets: [a] }
  self: { targets: [self] }
  ok: { targets: [a, secure-llm] }`),
        {},
      ),
    )
    expect(errors).toEqual([
      'routes.a.targets: routes refer to each other in a loop (a -> b -> c -> a)',
      'routes.self.targets: routes refer to each other in a loop (self -> self)',
    ])
  })

  it('accepts a route that targets another route', () => {
    const config = ok(
      parseConfig(base('routes:\n  inner: { targets: [secure-llm] }\n  outer: { targets: [inner] }'), {}),
    )
    expect(config.routes['outer']!.targets).toEqual([{ target: 'inner', weight: 1 }])
  })

  it('requires base_url for an openai-compatible provider', () => {
    const errors = errorsOf(parseConfig('providers:\n  vllm: { kind: openai-compatible }', {}))
    expect(errors).toEqual([
      expect.stringMatching(/^providers\.vllm\.base_url: required for kind openai-compatible/),
    ])
  })

  it('rejects a non-http base_url', () => {
    const errors = errorsOf(
      parseConfig('providers:\n  v: { kind: openai-compatible, base_url: "ftp://x" }', {}),
    )
    expect(errors).toEqual(['providers.v.base_url: expected an http(s) URL'])
  })

  it('reports YAML syntax errors with line and column', () => {
    const errors = errorsOf(parseConfig('providers:\n  p: { kind: simulated\n', {}))
    expect(errors.length).toBeGreaterThan(0)
    expect(errors[0]).toMatch(/^YAML syntax: .*line \d+, column \d+/)
  })

  it('rejects duplicate keys', () => {
    const errors = errorsOf(parseConfig('server: { port: 1 }\nserver: { port: 2 }', {}))
    expect(errors[0]).toMatch(/^YAML syntax: Map keys must be unique/)
  })

  it('reports unresolvable and exploding aliases as errors instead of throwing', () => {
    expect(errorsOf(parseConfig('a: &a 1\nserver: { host: *nope }', {}))[0]).toMatch(
      /^YAML: Unresolved alias/,
    )
    const laughs = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n')
    expect(errorsOf(parseConfig(laughs, {}))[0]).toMatch(/^YAML: .*alias/i)
  })

  it('collects several errors at once', () => {
    const errors = errorsOf(parseConfig('server: { port: "x", hots: a }\nlogging: { level: loud }', {}))
    expect(errors).toHaveLength(3)
    expect(errors.join('\n')).toContain('server.port')
    expect(errors.join('\n')).toContain('"hots"')
    expect(errors.join('\n')).toContain('logging.level: expected one of fatal, error')
  })
})

describe('parseConfig: secrets', () => {
  const secrets = ['sk-live-inline-0001', 'hdr-token-0002', 'sk-from-env-0003']
  const withSecrets = (more: string) => `
providers:
  openai:
    kind: openai
    api_key: ${secrets[0]}
    headers: { x-gateway-token: ${secrets[1]} }
  vllm:
    kind: openai-compatible
    base_url: http://gpu01:8000/v1
    api_key: \${VLLM_KEY}
${more}`
  const env = { VLLM_KEY: secrets[2] }

  it('keeps api keys and header values out of every error message', () => {
    const broken = [
      withSecrets('    trust: everywhere\nmodels:\n  m: { provider: nope }'),
      withSecrets('models:\n  m: { provider: nope }\nroutes:\n  r: { targets: [x] }'),
      withSecrets('    headers: { a: 5 }').replace('kind: openai\n', 'kind: opnai\n'),
      withSecrets('    region: ${MISSING}'),
      withSecrets('    organization: [1]\n  extra: {'),
      withSecrets('').replace(`api_key: ${secrets[0]}`, `api_key: "${secrets[0]}`),
      withSecrets('').replace(`api_key: ${secrets[0]}`, `api_key: ${secrets[0]}: x`),
      withSecrets('').replace(`api_key: ${secrets[0]}`, `api_key: *${secrets[0]}`),
    ]
    for (const text of broken) {
      const errors = errorsOf(parseConfig(text, env))
      expect(errors.length).toBeGreaterThan(0)
      for (const secret of secrets) expect(errors.join('\n')).not.toContain(secret)
    }
  })

  it('does not print a secret given as the wrong type', () => {
    const errors = errorsOf(
      parseConfig('providers:\n  o: { kind: openai, api_key: 987654321, headers: { x: 123123123 } }', {}),
    )
    expect(errors).toEqual([
      'providers.o.api_key: expected string, got a number',
      'providers.o.headers.x: expected string, got a number',
    ])
  })

  it('keeps secrets as Secret values that print as [redacted]', () => {
    const config = ok(parseConfig(withSecrets(''), env))
    const openai = config.providers['openai']!
    expect(openai.api_key).toBeInstanceOf(Secret)
    expect(openai.api_key!.reveal()).toBe(secrets[0])
    expect(openai.headers!['x-gateway-token']!.reveal()).toBe(secrets[1])
    expect(config.providers['vllm']!.api_key!.reveal()).toBe(secrets[2])

    const json = JSON.stringify(config)
    const printed = inspect(config, { depth: 10 })
    for (const secret of secrets) {
      expect(json).not.toContain(secret)
      expect(printed).not.toContain(secret)
    }
    const parsed = JSON.parse(json)
    expect(parsed.providers.openai.api_key).toBe('[redacted]')
    expect(parsed.providers.openai.headers['x-gateway-token']).toBe('[redacted]')
    expect(parsed.providers.vllm.api_key).toBe('[redacted]')
  })

  it('rejects an empty api key', () => {
    expect(errorsOf(parseConfig('providers:\n  o: { kind: openai, api_key: "" }', {}))).toEqual([
      'providers.o.api_key: must not be empty',
    ])
  })
})

describe('parseConfig: defaults and resolution', () => {
  it('gives an empty file the server and logging defaults', () => {
    for (const text of ['', '# only a comment\n', 'server: {}']) {
      const config = ok(parseConfig(text, {}))
      expect(config.server).toEqual({
        host: '127.0.0.1',
        port: 8787,
        body_limit_mb: 10,
        shutdown_timeout_ms: 30_000,
        trust_proxy: false,
      })
      expect(config.logging.level).toBe('info')
      expect(config.providers).toEqual({})
      expect(config.models).toEqual({})
      expect(config.routes).toEqual({})
    }
  })

  it('fills provider defaults: OpenAI base_url, trust by kind, timeouts and pooling', () => {
    const config = ok(
      parseConfig(
        `
providers:
  openai: { kind: openai, api_key: sk-x }
  compat: { kind: openai-compatible, base_url: "http://gpu01:8000/v1///" }
  onprem: { kind: openai-compatible, base_url: "http://gpu02:8000/v1", trust: onprem }
  sim: { kind: simulated }
`,
        {},
      ),
    )
    const { openai, compat, onprem, sim } = config.providers
    expect(openai).toMatchObject({
      name: 'openai',
      base_url: 'https://api.openai.com/v1',
      trust: 'external',
      connect_timeout_ms: 10_000,
      timeout_ms: 600_000,
      stream_usage: true,
      max_connections: 256,
    })
    expect(compat).toMatchObject({ base_url: 'http://gpu01:8000/v1', trust: 'external' })
    expect(onprem!.trust).toBe('onprem')
    expect(sim!.trust).toBe('onprem')
    expect(sim!.base_url).toBeUndefined()
  })

  it('lets a provider override the OpenAI base_url', () => {
    const config = ok(parseConfig('providers:\n  o: { kind: openai, base_url: "https://eu.example/v1" }', {}))
    expect(config.providers['o']!.base_url).toBe('https://eu.example/v1')
  })

  it('defaults a model id to its name and fills model and route defaults', () => {
    const config = ok(
      parseConfig(
        base('  pinned: { provider: p, model: llama-3.1-8b }\nroutes:\n  chat: { targets: [pinned] }'),
        {},
      ),
    )
    expect(config.models['gpt-4o-mini']).toMatchObject({
      name: 'gpt-4o-mini',
      model: 'gpt-4o-mini',
      provider: 'p',
      type: 'chat',
      drop_params: [],
      default_params: {},
      rename_params: {},
    })
    expect(config.models['pinned']!.model).toBe('llama-3.1-8b')
    expect(config.routes['chat']).toEqual({
      name: 'chat',
      strategy: 'fallback',
      targets: [{ target: 'pinned', weight: 1 }],
    })
  })

  it('deep-freezes the resolved config', () => {
    const config = ok(
      parseConfig(
        `providers:
  p: { kind: simulated }
models:
  secure-llm: { provider: p, default_params: { temperature: 0 } }
routes:
  chat: { targets: [secure-llm] }`,
        {},
      ),
    )
    const frozen = [
      config,
      config.server,
      config.logging,
      config.providers,
      config.providers['p'],
      config.models,
      config.models['secure-llm'],
      config.models['secure-llm']!.default_params,
      config.models['secure-llm']!.drop_params,
      config.routes['chat'],
      config.routes['chat']!.targets,
    ]
    for (const value of frozen) expect(Object.isFrozen(value)).toBe(true)
    expect(() => {
      ;(config.server as { port: number }).port = 1
    }).toThrow(TypeError)
    expect(() => {
      ;(config.routes['chat']!.targets as Array<{ target: string; weight: number }>).push({
        target: 'x',
        weight: 1,
      })
    }).toThrow(TypeError)
  })

  it('parses config/quickstart.yaml', () => {
    const text = readFileSync(new URL('../../config/quickstart.yaml', import.meta.url), 'utf8')
    const config = ok(parseConfig(text, {}))
    expect(Object.keys(config.providers).length).toBeGreaterThan(0)
    expect(Object.keys(config.models).length).toBeGreaterThan(0)
    for (const model of Object.values(config.models)) expect(config.providers).toHaveProperty(model.provider)
  })
})
