import type { ResolvedConfig } from '../config/load.js'
import type { Principal } from './principal.js'
import { sha256Hex } from './virtual-key.js'

/**
 * What one config version says about access, derived once per config: the keys declared in it,
 * indexed by SHA-256. Looking a hash up in a map reveals nothing usable through timing: an
 * attacker would have to find inputs with chosen hash prefixes.
 */
export interface AccessTable {
  configKey(token: string, nowMs: number): Principal | undefined
}

export function createAccessTable(config: ResolvedConfig): AccessTable {
  const byHash = new Map<string, { principal: Principal; expiresAtMs: number | undefined }>()
  for (const key of config.keys) {
    const hash = key.key ? sha256Hex(key.key.reveal()) : key.sha256!.slice('sha256:'.length)
    byHash.set(hash, {
      principal: {
        keyId: `config:${key.name}`,
        keyName: key.name,
        tenant: key.tenant,
        role: key.role,
        models: key.models,
        limits: key.limits,
        budget: key.budget,
      },
      expiresAtMs: key.expires_at === undefined ? undefined : Date.parse(key.expires_at),
    })
  }
  return {
    configKey(token, nowMs) {
      if (byHash.size === 0) return undefined
      const entry = byHash.get(sha256Hex(token))
      if (!entry || (entry.expiresAtMs !== undefined && entry.expiresAtMs <= nowMs)) return undefined
      return entry.principal
    },
  }
}
