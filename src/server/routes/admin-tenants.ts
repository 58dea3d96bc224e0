import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { BudgetSubject } from '../../budgets/budgets.js'
import { budgetSchema, tenantSchema } from '../../config/access-schema.js'
import { GatewayError } from '../../errors.js'
import type { AdminRouteDeps } from './admin.js'
import { ownKey, parseBody, scopeTenant, visible } from './admin.js'

const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/**
 * Tenants and budgets on the admin plane. Tenants declared in config are read-only here (the file
 * stays the source of truth for them: 409); others are created and changed through the API.
 * `finops` manages budgets, on API tenants and on keys.
 */
export function registerTenantRoutes(admin: FastifyInstance, deps: AdminRouteDeps): void {
  admin.get('/tenants', { config: { roles: ['auditor', 'finops'] } }, async function listTenants(request) {
    const fromConfig = Object.entries(deps.runtime().config.tenants).map(([name, t]) => ({
      name,
      source: 'config',
      ...t,
    }))
    const fromApi = deps.tenants
      .list()
      .filter((t) => !(t.name in deps.runtime().config.tenants))
      .map((t) => ({ name: t.name, source: 'api', ...t.settings }))
    const data = [...fromConfig, ...fromApi].filter((t) => visible(request, t.name))
    return { object: 'list', data }
  })

  admin.put('/tenants/:name', async function putTenant(request) {
    const name = apiTenantName(request, deps)
    const settings = parseBody(tenantSchema, request.body)
    checkModels(deps, settings.models)
    const record = await deps.tenants.put(name, settings)
    return { name: record.name, source: 'api', ...record.settings }
  })

  admin.put(
    '/tenants/:name/budget',
    { config: { roles: ['finops'] } },
    async function putTenantBudget(request) {
      const name = apiTenantName(request, deps)
      const existing = deps.tenants.get(name)
      if (!existing)
        throw new GatewayError('not_found', `No tenant ${name}: create it with PUT /admin/tenants/${name}.`)
      const budget = parseBody(budgetSchema, request.body)
      const record = await deps.tenants.put(name, { ...existing, budget })
      return { name, source: 'api', budget: record.settings.budget }
    },
  )

  admin.put('/keys/:id/budget', { config: { roles: ['finops'] } }, async function putKeyBudget(request) {
    const key = await ownKey(request, deps.keys)
    const budget = request.body === null ? undefined : parseBody(budgetSchema, request.body)
    const updated = await deps.keys.setBudget(key.id, budget)
    return { id: key.id, budget: updated?.budget ?? null }
  })

  admin.get('/budgets', { config: { roles: ['auditor', 'finops'] } }, async function listBudgets(request) {
    const runtime = deps.runtime()
    const tenantNames = new Set([
      ...Object.keys(runtime.config.tenants),
      ...deps.tenants.list().map((t) => t.name),
    ])
    const subjects: BudgetSubject[] = []
    for (const name of tenantNames) {
      const budget = runtime.tenant(name)?.budget
      if (budget && visible(request, name))
        subjects.push({ scope: 'tenant', subject: name, label: name, tenant: name, budget })
    }
    for (const key of await deps.keys.list(scopeTenant(request, undefined))) {
      if (key.budget && key.revokedAt === undefined)
        subjects.push({
          scope: 'key',
          subject: key.id,
          label: key.name,
          tenant: key.tenant,
          budget: key.budget,
        })
    }
    const data = await Promise.all(
      subjects.map(async (s) => ({
        scope: s.scope,
        subject: s.subject,
        name: s.label,
        tenant: s.tenant,
        hard: s.budget.hard,
        periods: await deps.budgets.status(s),
      })),
    )
    return { object: 'list', data }
  })
}

/** The `:name` of a tenant the API may change: well-formed, not config-managed, within scope. */
function apiTenantName(request: FastifyRequest, deps: AdminRouteDeps): string {
  const { name } = request.params as { name: string }
  if (!TENANT_NAME.test(name))
    throw new GatewayError('bad_request', 'tenant names use letters, digits and . _ - (max 64)', {
      param: 'name',
    })
  if (name in deps.runtime().config.tenants) {
    throw new GatewayError(
      'conflict',
      `Tenant ${name} is declared in the config file: change it there (the file is the source of truth).`,
    )
  }
  if (!visible(request, name)) {
    throw new GatewayError(
      'forbidden',
      `The key '${request.principal!.keyName}' may only manage tenant ${request.principal!.tenant}.`,
    )
  }
  return name
}

function checkModels(deps: AdminRouteDeps, models: readonly string[] | undefined): void {
  const { models: known, routes } = deps.runtime().config
  for (const model of models ?? []) {
    if (!(model in known) && !(model in routes))
      throw new GatewayError('bad_request', `models: unknown model or route "${model}"`, { param: 'models' })
  }
}
