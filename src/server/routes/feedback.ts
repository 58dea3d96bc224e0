import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { GatewayError } from '../../errors.js'
import type { Runtime } from '../../runtime.js'
import type { Store } from '../../store/store.js'
import { bearerToken } from '../admin-auth.js'
import { feedbackView } from '../log-view.js'

export interface FeedbackRouteDeps {
  runtime: () => Runtime
  store: Pick<Store, 'queryRequestLogs' | 'insertFeedback'>
  /** Write the queued request logs now: feedback may follow its answer within milliseconds. */
  flushLog: () => Promise<void>
  now: () => number
  newId: () => string
}

/**
 * One scale, -1 (bad) to 1 (good): thumbs are -1/1, and a 1..5 rating maps to (stars - 3) / 2.
 * A second accepted scale would make `score: 1` ambiguous.
 */
const feedbackSchema = z.strictObject({
  request_id: z.string().min(1).max(128),
  score: z.number().min(-1).max(1),
  comment: z.string().max(2_000).optional(),
})

/** `POST /v1/feedback`: a caller scores an answer it received, with the key it called with. */
export function registerFeedbackRoutes(app: FastifyInstance, deps: FeedbackRouteDeps): void {
  app.post('/v1/feedback', async function giveFeedback(request, reply) {
    const runtime = deps.runtime()
    const principal = await runtime.caller(bearerToken(request.headers))
    const parsed = feedbackSchema.safeParse(request.body ?? {})
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      const path = issue.path.join('.')
      throw new GatewayError('bad_request', `${path === '' ? 'body' : path}: ${issue.message}`, {
        param: path === '' ? null : path,
      })
    }
    const input = parsed.data
    const find = async () =>
      (await deps.store.queryRequestLogs({ requestId: input.request_id, limit: 1 })).records[0]
    let record = await find()
    if (!record) {
      await deps.flushLog()
      record = await find()
    }
    // Another tenant's request answers like a missing one: its existence is not theirs to know.
    if (!record || record.tenant !== principal.tenant) {
      const hint = runtime.config.logging.request_log
        ? ''
        : ' Feedback needs the request log: set logging.request_log: true.'
      throw new GatewayError('not_found', `No request with id ${input.request_id} for your tenant.${hint}`, {
        param: 'request_id',
      })
    }
    const feedback = {
      id: deps.newId(),
      requestId: record.requestId,
      requestTs: record.ts,
      tenant: record.tenant,
      keyId: principal.keyId,
      score: input.score,
      comment: input.comment,
      ts: deps.now(),
    }
    await deps.store.insertFeedback(feedback)
    reply.code(201)
    return { object: 'feedback', request_id: record.requestId, ...feedbackView(feedback) }
  })
}
