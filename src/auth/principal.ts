import type { BudgetConfig, LimitConfig, Role } from '../config/access-schema.js'

/** Who is calling, as authentication established it. The key decides the tenant, never a header. */
export interface Principal {
  /** Store id, `config:<name>` for a config key, `jwt:<subject>`, or `none` without auth. */
  keyId: string
  keyName: string
  tenant: string
  role: Role
  /** Models and routes this key may ask for, within its tenant's; undefined: the tenant's. */
  models?: readonly string[] | undefined
  limits?: LimitConfig | undefined
  budget?: BudgetConfig | undefined
  /** From a JWT's subject claim. */
  user?: string | undefined
}

/** Roles that may call models; the others are for the admin plane only. */
export function canCallModels(role: Role): boolean {
  return role === 'user' || role === 'admin'
}
