import type { Alerter } from '../alerts/alerter.js'
import { GatewayError } from '../errors.js'
import type { Limiter } from '../limits/limiter.js'
import type { ChatBody } from '../providers/types.js'
import type { RoutingMetrics } from '../routing/routing-deps.js'
import { createRepeatFilter, type RepeatFilter } from './create-repeat-filter.js'
import { promptFingerprint } from './prompt-fingerprint.js'
import type { Stage } from './stage.js'

/**
 * Runaway-loop guard: the same key sending the same or a near-identical prompt (equal once
 * lower-cased, digits zeroed and whitespace collapsed, so timestamps and counters do not hide a
 * loop) more than `loop_guard.max_repeats` times a minute raises one alert per burst, and with
 * `action: block` refuses that prompt for `block_s` (429 loop_detected). Counted in the shared
 * limiter, so a loop spread over replicas is seen as one.
 *
 * Nearly every prompt is sent once. A first sighting is only noted in a fixed-size filter; the
 * limiter hears of a prompt at its second sighting, which counts for two, so the counts stay
 * exact without a counter per prompt ever sent (tens of thousands a minute under load, each an
 * allocation and a limiter call). With several replicas, each reports a prompt from its own
 * second sighting on.
 */
export const guardLoop = (
  limiter: Limiter,
  alerter: Alerter,
  metrics: RoutingMetrics,
  now: () => number = Date.now,
): Stage => {
  // Per prompt: the end of its block (action block) or of its alert's quiet period (action alert).
  const blockedUntil = new Map<string, number>()
  // Made on first use: a gateway with the guard off does not hold its 2 MB.
  let sightings: RepeatFilter | undefined
  return {
    name: 'guard-loop',
    async run(ctx, next) {
      const guard = ctx.runtime.config.loop_guard
      if (!guard.enabled || ctx.operation !== 'chat') return next()
      const principal = ctx.principal!
      const fingerprint = promptFingerprint(ctx.body as ChatBody)
      if (fingerprint === undefined) return next()
      const id = `${principal.keyId}:${fingerprint}`
      const until = blockedUntil.get(id)
      if (guard.action === 'block' && until !== undefined && until > now()) {
        metrics.rejected('loop', 'key')
        throw blocked(Math.ceil((until - now()) / 1000))
      }
      sightings ??= createRepeatFilter({ now })
      const sighting = sightings.sight(id)
      if (sighting === 'first') return next()
      // The second sighting counts the first with it.
      const cost = sighting === 'second' ? 2 : 1
      const result = await limiter.take([{ key: `loop:${id}`, limit: guard.max_repeats, cost }])
      if (result.ok) return next()
      // One alert per burst: the first refusal opens a quiet period of `block_s`.
      if (until === undefined || until <= now()) {
        if (blockedUntil.size > 10_000) blockedUntil.clear()
        blockedUntil.set(id, now() + guard.block_s * 1000)
        alerter.send({
          event: 'loop.detected',
          tenant: principal.tenant,
          key_id: principal.keyId,
          model: ctx.body.model,
          max_repeats_per_minute: guard.max_repeats,
          action: guard.action,
        })
      }
      if (guard.action === 'block') {
        metrics.rejected('loop', 'key')
        throw blocked(guard.block_s)
      }
      return next()
    },
  }
}

function blocked(retryAfterS: number): GatewayError {
  return new GatewayError(
    'loop_detected',
    'This key sent the same prompt too many times in a minute; it looks like a runaway loop, so ' +
      `the prompt is blocked for ${retryAfterS} s. Change the prompt or fix the loop.`,
    { retryAfterS },
  )
}
