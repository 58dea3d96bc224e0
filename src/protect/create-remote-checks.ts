import type { ResolvedConfig } from '../config/load.js'
import { prepareBody } from '../pipeline/prepare-body.js'
import type { ChatBody, Provider } from '../providers/types.js'
import {
  type AskModel,
  createClassifierCheck,
  createGuardModelCheck,
  type RemoteCheck,
} from './remote-checks.js'

/** The configured classifier and guard model, if any. The guard model is called through its provider. */
export function createRemoteChecks(
  config: ResolvedConfig,
  providers: ReadonlyMap<string, Provider>,
): RemoteCheck[] {
  const { classifier, guard_model } = config.protect.guardrails
  const checks: RemoteCheck[] = []
  if (classifier) checks.push(createClassifierCheck(classifier))
  if (guard_model) {
    const model = config.models[guard_model.model]!
    const ask: AskModel = async (system, text, signal) => {
      const body = prepareBody<ChatBody>(
        {
          model: model.name,
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: text },
          ],
          max_tokens: 16,
          temperature: 0,
        },
        model,
      )
      const answer = await providers
        .get(model.provider)!
        .chat(body, { signal, model, requestId: 'guard-model' })
      const content = answer.choices[0]?.message.content
      return typeof content === 'string' ? content : ''
    }
    checks.push(createGuardModelCheck(guard_model, ask))
  }
  return checks
}
