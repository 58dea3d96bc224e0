import { GatewayError } from '../errors.js'
import type { Runtime } from '../runtime.js'
import type { Operation, Target } from './context.js'
import type { Stage } from './stage.js'

/** Route: the requested name -> the ordered targets to try (a model, or a route's expansion). */
export const route = (): Stage => ({
  name: 'route',
  async run(ctx, next) {
    ctx.targets = resolveTargets(ctx.runtime, ctx.body.model, ctx.operation)
    return next()
  },
})

export function resolveTargets(runtime: Runtime, requested: string, operation: Operation): Target[] {
  const { models, routes } = runtime.config
  if (!(requested in models) && !(requested in routes)) {
    throw new GatewayError(
      'model_not_found',
      `The model '${requested}' does not exist. GET /v1/models lists the models and routes this gateway serves.`,
      { param: 'model' },
    )
  }
  const names: string[] = []
  const expand = (name: string): void => {
    const route = routes[name]
    if (!route) {
      if (!names.includes(name)) names.push(name)
      return
    }
    for (const target of route.targets) expand(target)
  }
  expand(requested)

  const wanted = operation === 'chat' ? 'chat' : 'embeddings'
  const targets = names
    .map((name) => models[name]!)
    .filter((model) => model.type === wanted)
    .map((model) => ({ name: model.name, model, provider: runtime.providers.get(model.provider)! }))
  if (targets.length === 0) {
    const endpoint = operation === 'chat' ? '/v1/embeddings' : '/v1/chat/completions'
    throw new GatewayError(
      'unsupported_operation',
      `The model '${requested}' does not serve ${operation === 'chat' ? 'chat completions' : 'embeddings'}; use it with ${endpoint}.`,
      { param: 'model' },
    )
  }
  return targets
}
