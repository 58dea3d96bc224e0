import RE2 from 're2'
import type { CancelSignal } from '../cancel-signal.js'
import type { GuardrailsConfig } from '../config/protect-schema.js'
import { GatewayError } from '../errors.js'
import { CallDeadline } from '../routing/call-deadline.js'
import type { TextSlot } from './collect-texts.js'
import { type GuardOverrides, type GuardVerdict, resolveAction } from './create-guardrails.js'

/** A guardrail that asks another service: an HTTP classifier or a guard model. */
export interface RemoteCheck {
  readonly name: 'classifier' | 'guard_model'
  run(slots: readonly TextSlot[], overrides: GuardOverrides, signal: CancelSignal): Promise<GuardVerdict[]>
}

type Source = 'user' | 'context'

interface Common {
  timeout_ms: number
  on_error: 'open' | 'closed'
  applies_to: Source[]
  action: GuardVerdict['action'] | 'off'
}

/** Asks `judge` once per source (the texts of that source joined), within the timeout. */
function remoteCheck(
  name: RemoteCheck['name'],
  settings: Common,
  judge: (
    text: string,
    source: Source,
    signal: CancelSignal,
  ) => Promise<{ flagged: boolean; score?: number }>,
): RemoteCheck {
  return {
    name,
    async run(slots, overrides, signal) {
      const action = resolveAction(name, settings.action, overrides)
      if (action === 'off') return []
      const verdicts: GuardVerdict[] = []
      for (const source of settings.applies_to) {
        const text = slots
          .filter((s) => s.source === source)
          .map((s) => s.text)
          .join('\n\n')
        if (text === '') continue
        // The request's cancellation and the check's own timeout, on one signal.
        const deadline = new CallDeadline(signal, { totalMs: settings.timeout_ms })
        try {
          const result = await judge(text, source, deadline.signal)
          if (result.flagged) {
            verdicts.push({
              rule: name,
              source,
              action,
              ...(result.score === undefined ? {} : { score: result.score }),
            })
          }
        } catch {
          if (signal.aborted) throw signal.reason
          if (settings.on_error === 'closed') {
            throw new GatewayError(
              'guardrail_unavailable',
              `The ${name.replace('_', ' ')} guardrail did not answer and the policy is to refuse (on_error: closed).`,
            )
          }
          verdicts.push({ rule: name, source, action: 'log', signals: ['unavailable'] })
        } finally {
          deadline.release()
        }
      }
      return verdicts
    },
  }
}

/**
 * An HTTP classifier: `POST url` with `{"input": text, "source": "user"|"context"}`, answering
 * `{"flagged": bool, "score"?: number}` with status 200. Anything else counts as unavailable.
 */
export function createClassifierCheck(
  config: NonNullable<GuardrailsConfig['classifier']>,
  fetchImpl: typeof fetch = fetch,
): RemoteCheck {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  for (const [k, v] of Object.entries(config.headers)) headers[k] = v.reveal()
  return remoteCheck('classifier', config, async (input, source, signal) => {
    const res = await fetchImpl(config.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ input, source }),
      signal: signal.toAbortSignal(),
    })
    if (!res.ok) throw new Error(`classifier answered HTTP ${res.status}`)
    const body = (await res.json()) as { flagged?: unknown; score?: unknown }
    if (typeof body.flagged !== 'boolean') throw new Error('classifier answer has no boolean "flagged"')
    return { flagged: body.flagged, ...(typeof body.score === 'number' ? { score: body.score } : {}) }
  })
}

/** Sends the instructions and the text to a model; returns its answer's text. */
export type AskModel = (system: string, text: string, signal: CancelSignal) => Promise<string>

/** A guard model (Llama Guard, a small instruct model...) served by one of this gateway's providers. */
export function createGuardModelCheck(
  config: NonNullable<GuardrailsConfig['guard_model']>,
  ask: AskModel,
): RemoteCheck {
  const unsafe = new RE2(config.unsafe_pattern, 'i')
  return remoteCheck('guard_model', config, async (text, _source, signal) => ({
    flagged: unsafe.test(await ask(config.instructions, text, signal)),
  }))
}
