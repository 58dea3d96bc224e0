// biome-ignore-all lint/suspicious/noTemplateCurlyInString: hints show config text with ${VAR} references
import { parseBodyKey } from '../observability/body-cipher.js'
import type { Config } from './schema.js'

/** Tenants and config keys refer to known models; a key never exceeds its tenant. */
export function checkAccess(config: Config, errors: string[]): void {
  const callable = [...Object.keys(config.models), ...Object.keys(config.routes)]
  const checkModels = (where: string, names: readonly string[] | undefined) =>
    names?.forEach((n, i) => {
      if (!callable.includes(n))
        errors.push(`${where}[${i}]: unknown model or route "${n}" (known: ${list(callable)})`)
    })
  for (const [name, tenant] of Object.entries(config.tenants)) {
    checkModels(`tenants.${name}.models`, tenant.models)
  }
  const tenantNames = [...new Set([config.auth.default_tenant, ...Object.keys(config.tenants)])]
  const seen = new Set<string>()
  config.keys.forEach((key, i) => {
    const where = `keys[${i}]`
    if (seen.has(key.name)) errors.push(`${where}.name: "${key.name}" is declared twice`)
    seen.add(key.name)
    if ((key.key === undefined) === (key.sha256 === undefined))
      errors.push(`${where}: give exactly one of "key" (e.g. \${MY_KEY}) or "sha256"`)
    if (!tenantNames.includes(key.tenant))
      errors.push(`${where}.tenant: unknown tenant "${key.tenant}" (known: ${list(tenantNames)})`)
    checkModels(`${where}.models`, key.models)
    const allowed = config.tenants[key.tenant]?.models
    const outside = allowed && key.models?.filter((m) => !allowed.includes(m))
    if (outside && outside.length > 0)
      errors.push(`${where}.models: ${outside.join(', ')} not allowed for tenant ${key.tenant}`)
  })
  const fullBodies = [config.logging.bodies, ...Object.values(config.tenants).map((t) => t.bodies)].includes(
    'full',
  )
  if (fullBodies && config.logging.body_keys.length === 0) {
    errors.push(
      'logging.body_keys: required to store full bodies (they are encrypted): add { id: k1, key: ${GATEHOUSE_BODY_KEY} } ' +
        'with a key from `openssl rand -base64 32`',
    )
  }
  config.logging.body_keys.forEach((k, i) => {
    try {
      parseBodyKey(k.id, k.key.reveal())
    } catch (err) {
      errors.push(`logging.body_keys[${i}].key: ${(err as Error).message}`)
    }
  })
  if (config.auth.mode === 'none' && config.keys.length > 0)
    errors.push('auth.mode: "none" ignores the keys declared under keys; remove them or use mode: keys')
}

function list(names: string[]): string {
  return names.length === 0 ? 'none defined' : names.join(', ')
}
