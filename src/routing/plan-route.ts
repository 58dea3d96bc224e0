import type { ResolvedModel, ResolvedRoute } from '../config/load.js'
import { GatewayError } from '../errors.js'
import type { RequestContext, Target } from '../pipeline/context.js'
import type { ChatBody, EmbeddingsBody } from '../providers/types.js'
import type { Runtime } from '../runtime.js'
import { estimateCostUsd, expectedOutputTokens, requestedOutputTokens } from './estimate-cost.js'
import { upperBoundTokens } from './estimate-tokens.js'
import { type Candidate, orderTargets } from './order-targets.js'
import type { RoutePolicy } from './route-policy.js'
import type { RouteTrace } from './route-trace.js'
import type { RoutingDeps } from './routing-deps.js'
import { firstMatch } from './rules.js'

interface Plan {
  targets: Target[]
  trace: RouteTrace
  policy: RoutePolicy
}

/**
 * From the requested name to the ordered targets worth trying: rules first (they may send the
 * request elsewhere), then the route's strategy over its targets (nested routes expand in place),
 * then eligibility: the right kind of model, a closed circuit, a context window that holds the
 * prompt and the requested output, an estimated cost under the caller's or the route's ceiling.
 * Every candidate, chosen or skipped, is written to the trace with its reason.
 */
export async function planRoute(ctx: RequestContext, runtime: Runtime, deps: RoutingDeps): Promise<Plan> {
  const { config } = runtime
  const requested = ctx.body.model
  let counted: Promise<number> | undefined
  const inputTokens = () => (counted ??= countInput(ctx, deps))

  const rule = await firstMatch(runtime.rules, {
    model: requested,
    sensitivity: ctx.sensitivity,
    domain: ctx.meta.domain,
    useCase: ctx.meta.useCase,
    tenant: ctx.tenant,
    user: ctx.meta.user,
    latency: ctx.meta.latency,
    metadata: ctx.meta.metadata,
    inputTokens,
  })
  const resolved = rule?.target ?? requested
  const route = config.routes[resolved]
  if (!route && !config.models[resolved]) {
    throw new GatewayError(
      'model_not_found',
      `The model '${requested}' does not exist. GET /v1/models lists the models and routes this gateway serves.`,
      { param: 'model' },
    )
  }
  const policy = runtime.routing.policy(resolved)
  const trace: RouteTrace = { requested, resolved, candidates: [], attempts: ctx.attempts }
  if (rule) trace.rule = rule.name
  if (route) trace.strategy = route.strategy

  const ceiling = minDefined(ctx.meta.maxCostUsd, policy.maxCostUsd)
  const chat = ctx.operation === 'chat' ? (ctx.body as ChatBody) : undefined
  const outputTokens = chat ? expectedOutputTokens(chat, policy.typicalOutputTokens) : 0
  const requestedOutput = (chat && requestedOutputTokens(chat)) ?? 0
  let bound: number | undefined
  const upperBound = () => (bound ??= chat ? upperBoundTokens(chat) : 0)
  // Counting tokens costs CPU: only when a ceiling or a `cheapest` route needs prices.
  const needsCost = ceiling !== undefined || runtime.routing.usesCheapest(resolved)
  const tokens = needsCost ? await inputTokens() : undefined
  const costOf = (model: ResolvedModel) =>
    tokens === undefined ? undefined : estimateCostUsd(model.price, tokens, outputTokens)

  const ordered = expand(resolved, 1, runtime, deps, costOf)
  const targets: Target[] = []
  const reasons = new Set<string>()
  let largestWindow = 0
  for (const candidate of ordered) {
    const model = config.models[candidate.name]!
    const skip = await eligibility(model, {
      ctx,
      deps,
      policy,
      requestedOutput,
      upperBound,
      outputTokens,
      ceiling,
      inputTokens,
      costUsd: candidate.costUsd,
    })
    trace.candidates.push({
      target: candidate.name,
      ...(skip ? { skipped: skip } : {}),
      ...(candidate.costUsd === undefined ? {} : { costUsd: round(candidate.costUsd) }),
    })
    if (skip) {
      reasons.add(skip)
      if (skip === 'context_window') largestWindow = Math.max(largestWindow, model.context_window ?? 0)
      continue
    }
    targets.push({ name: model.name, model, provider: runtime.providers.get(model.provider)! })
  }
  if (counted) trace.inputTokens = await counted
  if (targets.length === 0)
    throw await noTargetError(ctx, {
      reasons,
      requested,
      largestWindow,
      inputTokens,
      requestedOutput,
      outputTokens,
      ceiling,
      trace,
    })
  return { targets, trace, policy }
}

interface EligibilityInput {
  ctx: RequestContext
  deps: RoutingDeps
  policy: RoutePolicy
  /** The caller's max_completion_tokens / max_tokens, 0 when unset. */
  requestedOutput: number
  /** Cheap upper bound on input tokens, computed at most once per request. */
  upperBound: () => number
  outputTokens: number
  ceiling: number | undefined
  inputTokens: () => Promise<number>
  costUsd: number | undefined
}

/** Why a target cannot take this request, or undefined when it can. */
async function eligibility(model: ResolvedModel, input: EligibilityInput): Promise<string | undefined> {
  const { ctx, deps, requestedOutput } = input
  if (model.type !== (ctx.operation === 'chat' ? 'chat' : 'embeddings')) return 'wrong_type'
  // The data policy first: no other reason may let data reach a target it is not allowed on.
  if (ctx.protection) {
    const provider = ctx.runtime.config.providers[model.provider]!
    const decision = ctx.protection.decide({ trust: provider.trust, region: provider.region })
    if (!decision.ok) return decision.reason
  }
  const { breaker } = input.policy
  if (breaker.enabled && deps.breakers.get(model.name, breaker).state === 'open') return 'circuit_open'
  if (ctx.operation === 'chat' && model.context_window !== undefined) {
    // The cheap upper bound settles most requests without running the tokenizer.
    if (input.upperBound() + requestedOutput > model.context_window) {
      if ((await input.inputTokens()) + requestedOutput > model.context_window) return 'context_window'
    }
  }
  if (input.ceiling !== undefined) {
    const cost = input.costUsd ?? estimateCostUsd(model.price, await input.inputTokens(), input.outputTokens)
    if (cost === undefined) return 'price_unknown'
    if (cost > input.ceiling) return 'over_cost_ceiling'
  }
  return undefined
}

/** A route's targets in its strategy's order, nested routes expanded in place, each model once. */
function expand(
  name: string,
  weight: number,
  runtime: Runtime,
  deps: RoutingDeps,
  costOf: (model: ResolvedModel) => number | undefined,
  seen: Set<string> = new Set(),
): Candidate[] {
  const route: ResolvedRoute | undefined = runtime.config.routes[name]
  if (!route) {
    if (seen.has(name)) return []
    seen.add(name)
    return [{ name, weight, costUsd: costOf(runtime.config.models[name]!) }]
  }
  const entries = route.targets.map((t) => ({
    name: t.target,
    weight: t.weight,
    // Only `cheapest` orders by cost; models get their own estimate when expanded below.
    costUsd: route.strategy === 'cheapest' ? cheapestCost(t.target, runtime, costOf) : undefined,
  }))
  return orderTargets(route.strategy, entries, deps).flatMap((entry) =>
    expand(entry.name, entry.weight, runtime, deps, costOf, seen),
  )
}

/** For ordering a nested route by cost: its cheapest model. */
function cheapestCost(
  name: string,
  runtime: Runtime,
  costOf: (model: ResolvedModel) => number | undefined,
): number | undefined {
  const route = runtime.config.routes[name]
  if (!route) return costOf(runtime.config.models[name]!)
  const costs = route.targets
    .map((t) => cheapestCost(t.target, runtime, costOf))
    .filter((c): c is number => c !== undefined)
  return costs.length === 0 ? undefined : Math.min(...costs)
}

interface NoTargetInput {
  reasons: Set<string>
  requested: string
  largestWindow: number
  inputTokens: () => Promise<number>
  requestedOutput: number
  outputTokens: number
  ceiling: number | undefined
  trace: RouteTrace
}

/** The most useful error when nothing is eligible: what the caller can change comes first. */
async function noTargetError(ctx: RequestContext, input: NoTargetInput): Promise<GatewayError> {
  const { reasons, requested } = input
  const policyReasons = ['data_policy', 'blocked_entity'].filter((r) => reasons.has(r))
  if (
    policyReasons.length > 0 &&
    policyReasons.length + (reasons.has('wrong_type') ? 1 : 0) === reasons.size
  ) {
    return dataPolicyError(ctx, input)
  }
  if (reasons.has('wrong_type') && reasons.size === 1) {
    const endpoint = ctx.operation === 'chat' ? '/v1/embeddings' : '/v1/chat/completions'
    const what = ctx.operation === 'chat' ? 'chat completions' : 'embeddings'
    return new GatewayError(
      'unsupported_operation',
      `The model '${requested}' does not serve ${what}; use it with ${endpoint}.`,
      {
        param: 'model',
      },
    )
  }
  if (reasons.has('context_window')) {
    const output = input.requestedOutput
    return new GatewayError(
      'context_length_exceeded',
      `This request needs ${await input.inputTokens()} input tokens` +
        (output > 0 ? ` plus ${output} output tokens` : '') +
        `, more than the largest context window among the targets of '${requested}' (${input.largestWindow} tokens).`,
      { param: 'messages' },
    )
  }
  if (reasons.has('over_cost_ceiling') || reasons.has('price_unknown')) {
    const costs = input.trace.candidates.map((c) => c.costUsd).filter((c): c is number => c !== undefined)
    const cheapest =
      costs.length === 0
        ? 'no target has a price'
        : `the cheapest estimate is $${Math.min(...costs).toFixed(6)}`
    return new GatewayError(
      'cost_ceiling_exceeded',
      `No target of '${requested}' fits the cost ceiling of $${input.ceiling} for this request (${input.outputTokens} output tokens assumed); ${cheapest}.`,
      { param: 'x-gatehouse-max-cost-usd' },
    )
  }
  return new GatewayError(
    'upstream_unavailable',
    `No target of '${requested}' is available: every circuit breaker is open.`,
  )
}

/** 403 naming the sensitivity, what was found and the policy that keeps every target out. */
function dataPolicyError(ctx: RequestContext, input: NoTargetInput): GatewayError {
  const protection = ctx.protection!
  const { config } = ctx.runtime
  const found = Object.keys(protection.scan.counts)
  const reasons = new Set<string>()
  const targets: string[] = []
  for (const c of input.trace.candidates) {
    if (c.skipped !== 'data_policy' && c.skipped !== 'blocked_entity') continue
    const provider = config.providers[config.models[c.target]!.provider]!
    const to = { trust: provider.trust, region: provider.region }
    const decision = protection.decide(to)
    if (!decision.ok) reasons.add(protection.protector.policy.explain(decision, to))
    targets.push(`${c.target} (${provider.trust}${provider.region ? `, ${provider.region}` : ''})`)
  }
  return new GatewayError(
    'data_policy_denied',
    `This request is ${ctx.sensitivity ?? 'public'}${found.length > 0 ? ` (found: ${found.join(', ')})` : ''} and no target of '${input.requested}' may receive it: ${[...reasons].join('; ')}. Refused: ${targets.join(', ')}.`,
  )
}

async function countInput(ctx: RequestContext, deps: RoutingDeps): Promise<number> {
  if (ctx.operation === 'chat') return deps.tokens.countChatInput(ctx.body as ChatBody)
  const input = (ctx.body as EmbeddingsBody).input
  const items = Array.isArray(input) ? input : [input]
  let total = 0
  for (const item of items)
    total +=
      typeof item === 'string' ? await deps.tokens.countText(item) : Array.isArray(item) ? item.length : 1
  return total
}

function minDefined(...values: Array<number | undefined>): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined)
  return defined.length === 0 ? undefined : Math.min(...defined)
}

function round(usd: number): number {
  return Math.round(usd * 1e8) / 1e8
}
