import { GatewayError, UpstreamError } from '../errors.js'
import type { AttemptSpan } from '../observability/tracer.js'
import type { CallOptions, ChatBody, ChatChunk, EmbeddingsBody } from '../providers/types.js'
import { retryDelayMs } from '../routing/backoff.js'
import { CallDeadline, type DeadlineKind } from '../routing/call-deadline.js'
import type { CircuitBreaker } from '../routing/circuit-breaker.js'
import type { RoutingDeps } from '../routing/routing-deps.js'
import type { RequestContext, Target } from './context.js'
import { prepareBody } from './prepare-body.js'
import type { PipelineResult, Stage } from './stage.js'

interface Failure {
  target: Target
  error: UpstreamError
}

/**
 * Execute: try the planned targets in order. On one target, a retryable failure (rate limit,
 * 5xx, timeout, lost connection) is retried with capped, fully jittered exponential backoff, or
 * after the provider's `Retry-After`; when the target's attempts are spent, or on a failure
 * listed in `fallback_on`, the next target is tried. A caller's bad request stops at once. A
 * stream is held until its first event, so that a target failing before its first byte can
 * still be replaced; after that, failures surface mid-stream. Every attempt is recorded.
 */
export const execute = (deps: RoutingDeps): Stage => ({
  name: 'execute',
  async run(ctx) {
    // The whole request's deadline is one timer; every attempt hangs off its signal. Whether
    // time is up is what that timer says, never a clock comparison (timers run on the loop's
    // clock, which can lag performance.now() and would start an attempt with a 1 ms budget).
    const limitMs = requestLimitMs(ctx)
    const request = new CallDeadline(ctx.signal, {
      totalMs: limitMs === undefined ? undefined : ctx.startedAtMs + limitMs - deps.now(),
    })
    try {
      const result = await tryTargets(ctx, deps, request)
      if (result.kind !== 'stream') return result
      return { kind: 'stream', events: releaseAfter(result.events, request) }
    } catch (err) {
      request.release()
      throw err
    }
  },
})

async function tryTargets(
  ctx: RequestContext,
  deps: RoutingDeps,
  request: CallDeadline,
): Promise<PipelineResult> {
  const policy = ctx.policy!
  const failures: Failure[] = []
  const limitMs = requestLimitMs(ctx)
  const deadlineAtMs = limitMs === undefined ? Number.POSITIVE_INFINITY : ctx.startedAtMs + limitMs
  for (const target of ctx.targets) {
    if (request.expired) break
    const breaker = policy.breaker.enabled ? deps.breakers.get(target.name, policy.breaker) : undefined
    if (breaker && !breaker.tryAcquire()) {
      // Open since planning, or its one half-open probe is out: mark the planned candidate.
      const candidate = ctx.trace?.candidates.find((c) => c.target === target.name && !c.skipped)
      if (candidate) candidate.skipped = 'circuit_open'
      continue
    }
    if (failures.length > 0) deps.metrics.fallback(failures.at(-1)!.target.name)
    let waitedMs = 0
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) deps.metrics.retry(target.name)
      const result = await attemptOnce(ctx, deps, { target, attempt, waitedMs, breaker, request })
      deps.metrics.attempt(
        target.name,
        result instanceof UpstreamError ? result.failure : 'ok',
        ctx.attempts.at(-1)?.durationMs,
      )
      if (!(result instanceof UpstreamError)) return result
      failures.push({ target, error: result })
      if (!result.retryable) {
        if ((policy.fallbackOn as ReadonlySet<string>).has(result.failure)) break
        throw finalError(failures)
      }
      if (attempt >= policy.retry.attempts || request.expired) break
      // Whether a backoff fits before the deadline is an estimate; the timer stays the judge.
      const delay = retryDelayMs({
        retry: attempt,
        ...(result.retryAfterS === undefined ? {} : { retryAfterS: result.retryAfterS }),
        settings: policy.retry,
        random: deps.random,
        remainingMs: deadlineAtMs - deps.now(),
      })
      if ('giveUp' in delay) break
      await deps.sleep(delay.delayMs, ctx.signal)
      waitedMs = delay.delayMs
      // A failure may have opened the breaker: another try would be wasted.
      if (breaker && !breaker.tryAcquire()) break
    }
  }
  // Routing (token counting, say) can use up a short deadline before any attempt starts.
  if (failures.length === 0 && request.expired) {
    throw new GatewayError('upstream_timeout', "The request's deadline passed before any target was tried.")
  }
  throw finalError(failures)
}

interface AttemptPlan {
  target: Target
  attempt: number
  waitedMs: number
  breaker: CircuitBreaker | undefined
  request: CallDeadline
}

/** One call to one target: the result, or the failure as a value (so the loop above decides). */
async function attemptOnce(
  ctx: RequestContext,
  deps: RoutingDeps,
  plan: AttemptPlan,
): Promise<PipelineResult | UpstreamError> {
  const { target, breaker, request } = plan
  const provider = target.provider.config
  const { timeouts } = ctx.policy!
  const deadline = new CallDeadline(request.signal, {
    totalMs: timeouts.attempt_ms ?? provider.timeout_ms,
    ttfbMs: ctx.stream ? (timeouts.ttfb_ms ?? provider.ttfb_timeout_ms) : undefined,
    idleMs: ctx.stream ? (timeouts.idle_ms ?? provider.idle_timeout_ms) : undefined,
  })
  const expired = () => deadline.expired ?? request.expired
  // Tracing off: no span, and the short-circuit skips building its start object too.
  const span = ctx.span?.startAttempt({
    target,
    operation: ctx.operation,
    body: ctx.body,
    attempt: plan.attempt,
    waitedMs: plan.waitedMs,
  })
  const opts: CallOptions = {
    signal: deadline.signal,
    model: target.model,
    requestId: ctx.id,
    simulate: ctx.simulate,
    headers: span?.headers,
  }
  const startedMs = deps.now()
  deps.stats.begin(target.name)
  const record = (ok: boolean, error?: UpstreamError) => {
    ctx.attempts.push({
      target: target.name,
      provider: provider.name,
      attempt: plan.attempt,
      durationMs: deps.now() - startedMs,
      ok,
      ...(error ? { failure: error.failure } : {}),
      ...(error?.status === undefined ? {} : { status: error.status }),
      ...(plan.waitedMs > 0 ? { waitedMs: plan.waitedMs } : {}),
    })
  }
  try {
    const result = await call(ctx, target, opts, deadline, span)
    const latencyMs = deps.now() - startedMs
    breaker?.onSuccess()
    record(true)
    ctx.served = { provider: provider.name, model: target.model.model, target: target.name }
    if (ctx.trace) ctx.trace.chosen = target.name
    if (result.kind !== 'stream') {
      deadline.release()
      deps.stats.end(target.name, latencyMs)
      span?.succeed(result.response)
      return result
    }
    return {
      kind: 'stream',
      events: guardStream(result.events, {
        deadline,
        expired,
        done: () => deps.stats.end(target.name, latencyMs),
        breaker,
        span,
      }),
    }
  } catch (err) {
    deadline.release()
    const kind = expired()
    const error = kind
      ? timeoutError(kind)
      : ctx.signal.aborted || !(err instanceof UpstreamError)
        ? undefined
        : err
    if (!error) {
      // The caller went away (or a bug): nothing to learn about the target.
      deps.stats.end(target.name, undefined)
      breaker?.onAbandon()
      span?.fail(ctx.signal.aborted ? undefined : err)
      throw err
    }
    span?.fail(error)
    deps.stats.end(target.name, 2 * (deps.now() - startedMs))
    if (countsAgainstTarget(error)) breaker?.onFailure()
    else breaker?.onAbandon()
    record(false, error)
    ctx.log.warn(
      { target: target.name, attempt: plan.attempt, failure: error.failure, status: error.status },
      'upstream attempt failed',
    )
    return error
  }
}

async function call(
  ctx: RequestContext,
  target: Target,
  opts: CallOptions,
  deadline: CallDeadline,
  span: AttemptSpan | undefined,
): Promise<PipelineResult> {
  const source = bodyFor(ctx, target)
  if (ctx.operation === 'embeddings') {
    const response = await target.provider.embed(prepareBody(source as EmbeddingsBody, target.model), opts)
    return { kind: 'embeddings', response }
  }
  const body = prepareBody(source as ChatBody, target.model)
  if (!ctx.stream) return { kind: 'chat', response: await target.provider.chat(body, opts) }
  const events = await target.provider.stream(body, opts)
  const iterator = events[Symbol.asyncIterator]()
  const first = await iterator.next()
  deadline.firstByte()
  span?.firstChunk()
  return { kind: 'stream', events: resume(first, iterator) }
}

/**
 * The body this target may receive: with personal data and secrets masked, hashed or
 * pseudonymized as the data policy requires for its trust level (made once per trust level).
 * The redaction counts of the attempt that serves are what the answer and the record report.
 */
function bodyFor(ctx: RequestContext, target: Target): ChatBody | EmbeddingsBody {
  if (!ctx.protection) return ctx.body
  const provider = target.provider.config
  const made = ctx.protection.bodyFor(ctx.body, { trust: provider.trust, region: provider.region })
  ctx.redactions = made.redactions
  const counts = Object.entries(made.redactions)
  if (counts.length > 0)
    ctx.responseHeaders['x-gatehouse-redactions'] = counts.map(([t, n]) => `${t}=${n}`).join(',')
  else delete ctx.responseHeaders['x-gatehouse-redactions']
  return made.body
}

async function* resume(
  first: IteratorResult<ChatChunk>,
  rest: AsyncIterator<ChatChunk>,
): AsyncGenerator<ChatChunk> {
  if (first.done) return
  yield first.value
  // Delegating keeps return() flowing to the provider's iterator when the writer stops early.
  yield* { [Symbol.asyncIterator]: () => rest }
}

interface StreamGuard {
  deadline: CallDeadline
  expired: () => DeadlineKind | undefined
  done: () => void
  breaker: CircuitBreaker | undefined
  span: AttemptSpan | undefined
}

/**
 * After the first event: restart the idle deadline on each event; name a timeout as such. The
 * attempt's span ends with the stream: complete, failed, or cut short by the caller.
 */
async function* guardStream(
  events: AsyncIterable<ChatChunk>,
  { deadline, expired, done, breaker, span }: StreamGuard,
): AsyncGenerator<ChatChunk> {
  let finished = false
  try {
    for await (const chunk of events) {
      deadline.touch()
      span?.chunk(chunk)
      yield chunk
    }
    finished = true
  } catch (err) {
    const kind = expired()
    const error = kind ? timeoutError(kind) : err
    if (error instanceof UpstreamError) breaker?.onFailure()
    span?.fail(error)
    throw error
  } finally {
    deadline.release()
    done()
    // Failed spans ended above; a stream the writer stopped reading was cut by the caller.
    if (finished) span?.succeed()
    else span?.fail(undefined)
  }
}

/** The request's deadline lives as long as its stream. */
async function* releaseAfter(
  events: AsyncIterable<ChatChunk>,
  request: CallDeadline,
): AsyncGenerator<ChatChunk> {
  try {
    yield* events
  } finally {
    request.release()
  }
}

function timeoutError(kind: DeadlineKind): UpstreamError {
  const what = {
    total: 'did not finish in time',
    ttfb: 'sent no first byte in time',
    idle: 'went silent mid-stream',
  }[kind]
  return new UpstreamError('timeout', `provider ${what} (${kind} timeout)`)
}

/** The whole request's limit: the caller's `x-gatehouse-timeout-ms` or the route's `total_ms`. */
function requestLimitMs(ctx: RequestContext): number | undefined {
  const limits = [ctx.meta.timeoutMs, ctx.policy!.timeouts.total_ms].filter(
    (v): v is number => v !== undefined,
  )
  return limits.length === 0 ? undefined : Math.min(...limits)
}

/** A caller's bad request says nothing about the target's health. */
function countsAgainstTarget(error: UpstreamError): boolean {
  switch (error.failure) {
    case 'bad_request':
    case 'not_found':
    case 'context_length':
    case 'content_filter':
      return false
    default:
      return true
  }
}

/** One error for the caller from every attempt: the cause that explains the outcome best. */
function finalError(failures: Failure[]): GatewayError {
  const last = failures.at(-1)
  if (!last)
    return new GatewayError(
      'upstream_unavailable',
      'No target was available for this request (every circuit breaker is open).',
    )
  const where = {
    attempts: failures.length,
    provider: last.target.provider.config.name,
    model: last.target.model.model,
  }
  const { error } = last
  if (error.failure === 'bad_request') {
    return new GatewayError(
      'upstream_bad_request',
      `The provider rejected the request: ${error.message}`,
      where,
    )
  }
  if (error.failure === 'context_length') {
    return new GatewayError(
      'context_length_exceeded',
      `The prompt is too long for the model: ${error.message}`,
      where,
    )
  }
  if (error.failure === 'content_filter') {
    return new GatewayError(
      'content_filtered',
      `The provider's content filter refused the request: ${error.message}`,
      where,
    )
  }
  if (failures.every((f) => f.error.failure === 'rate_limited')) {
    const waits = failures.map((f) => f.error.retryAfterS).filter((s): s is number => s !== undefined)
    return new GatewayError('rate_limited', `Every target is rate limited (${summary(failures)}).`, {
      ...where,
      ...(waits.length > 0 ? { retryAfterS: Math.ceil(Math.min(...waits)) } : {}),
    })
  }
  if (error.failure === 'timeout') {
    return new GatewayError('upstream_timeout', `No target answered in time (${summary(failures)}).`, where)
  }
  if (error.failure === 'connection') {
    return new GatewayError(
      'upstream_unavailable',
      `No target could be reached (${summary(failures)}).`,
      where,
    )
  }
  return new GatewayError('upstream_error', `No target answered successfully (${summary(failures)}).`, where)
}

/** `openai: HTTP 503; vllm: timeout`: target names and failure classes, never provider bodies. */
function summary(failures: Failure[]): string {
  return failures
    .map(
      ({ target, error }) =>
        `${target.name}: ${error.status === undefined ? error.failure.replace('_', ' ') : `HTTP ${error.status}`}`,
    )
    .join('; ')
}
