import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/load.js'

/** The provider examples in the README's Providers section must stay valid configs. */
describe('README Providers examples', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const section = readme.slice(
    readme.indexOf('## Providers'),
    readme.indexOf('\n## ', readme.indexOf('## Providers') + 1),
  )
  const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((yaml) => /kind: (azure-openai|mistral|gemini|openai-compatible)\b/.test(yaml))
  // Every ${VAR} resolves to a placeholder: the examples take their keys from the environment.
  const env = new Proxy({}, { get: (_, name) => (typeof name === 'string' ? `value-of-${name}` : undefined) })

  it('has the examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4)
  })

  for (const [i, yaml] of blocks.entries()) {
    it(`example ${i + 1} (${/kind: ([\w-]+)/.exec(yaml)![1]}) is valid`, () => {
      const result = parseConfig(yaml, env as NodeJS.ProcessEnv)
      expect(result.ok ? [] : result.errors).toEqual([])
    })
  }
})
