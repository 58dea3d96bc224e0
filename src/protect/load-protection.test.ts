import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { protectSchema } from '../config/protect-schema.js'
import { loadProtection } from './load-protection.js'

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Every module `entry` loads through static value imports (type-only imports load nothing), as paths from src/, and the packages they name. */
function staticGraph(entry: string): { modules: Map<string, string[]>; packages: Map<string, string[]> } {
  const modules = new Map<string, string[]>()
  const packages = new Map<string, string[]>()
  const visit = (file: string, chain: string[]) => {
    const name = relative(SRC, file)
    if (modules.has(name)) return
    modules.set(name, chain)
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(
      /^(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm,
    )) {
      const spec = (m[1] ?? m[2])!
      if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')), [...chain, name])
      else if (!packages.has(spec)) packages.set(spec, [...chain, name])
    }
  }
  visit(join(SRC, entry), [])
  return { modules, packages }
}

describe('loadProtection', () => {
  it('is the only way the gateway reaches the detectors, the phone library and RE2 (about 10 MB it need not load)', () => {
    const { modules, packages } = staticGraph('main.ts')
    expect(
      packages.get('libphonenumber-js/max'),
      'libphonenumber-js/max is imported statically',
    ).toBeUndefined()
    for (const heavy of [
      'create-detector.ts',
      'create-guardrails.ts',
      'scan-builtins.ts',
      'detect-injection.ts',
    ]) {
      const chain = modules.get(join('protect', heavy))
      expect(chain, `protect/${heavy} is imported statically via ${chain?.join(' > ')}`).toBeUndefined()
    }
    // The walk itself works: it does reach what main.ts needs.
    expect(modules.has('runtime.ts')).toBe(true)
    expect(modules.has(join('protect', 'load-protection.ts'))).toBe(true)
  })

  it('loads what the runtime builds a working protector with', async () => {
    const protection = await loadProtection()
    const protector = protection.createProtector(protectSchema.parse({}), { secret: 's' })
    const scan = await protector.scan({
      model: 'm',
      messages: [{ role: 'user', content: 'Mail ada@example.com' }],
    })
    expect(scan.counts).toEqual({ email: 1 })
    await protector.close()
  })
})
