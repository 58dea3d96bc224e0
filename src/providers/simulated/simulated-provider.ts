import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { CancelSignal } from '../../cancel-signal.js'
import type { ResolvedProvider } from '../../config/load.js'
import type { SimulateConfig } from '../../config/schema.js'
import { UpstreamError } from '../../errors.js'
import { upstreamErrorFromResponse } from '../shared/upstream-error.js'
import type { CallOptions, ChatBody, ChatChunk, EmbeddingsResponse, Provider } from '../types.js'
import { simulateReply } from './simulate-reply.js'

export interface SimulatedDeps {
  now?: () => number
}

/**
 * A provider that needs no network and no key: it answers deterministically from the prompt,
 * reports usage, streams in chunks, and on request adds latency, fails with a status, stalls or
 * cuts a stream. It serves the quick start, demos, load tests and failure drills.
 */
export function createSimulatedProvider(config: ResolvedProvider, deps: SimulatedDeps = {}): Provider {
  const now = deps.now ?? Date.now

  async function begin(opts: CallOptions): Promise<SimulateConfig> {
    const knobs = { ...config.simulate, ...opts.model.simulate, ...opts.simulate }
    if (knobs.latency_ms) await sleep(knobs.latency_ms, undefined, { signal: opts.signal.toAbortSignal() })
    if (knobs.stall) await stallUntilAborted(opts.signal)
    if (knobs.fail_status !== undefined) {
      const headers = knobs.retry_after_s === undefined ? {} : { 'retry-after': String(knobs.retry_after_s) }
      const body = JSON.stringify({
        error: { message: `simulated failure (HTTP ${knobs.fail_status})`, type: 'server_error', code: null },
      })
      throw upstreamErrorFromResponse(knobs.fail_status, headers, body)
    }
    return knobs
  }

  return {
    config,

    async chat(body, opts) {
      const knobs = await begin(opts)
      const reply = simulateReply(body, opts.model.model, knobs)
      return {
        id: completionId(opts.requestId),
        object: 'chat.completion',
        created: Math.floor(now() / 1000),
        model: opts.model.model,
        system_fingerprint: 'fp_gatehouse_simulated',
        choices: reply.choices.map((choice, index) => ({
          index,
          message: {
            role: 'assistant',
            content: choice.content,
            refusal: null,
            ...(choice.toolCalls ? { tool_calls: choice.toolCalls } : {}),
          },
          logprobs: body['logprobs'] === true ? logprobsFor(choice.content ?? '') : null,
          finish_reason: choice.finishReason,
        })),
        usage: reply.usage,
      }
    },

    async stream(body, opts) {
      const knobs = await begin(opts)
      return streamReply(body, opts, knobs, Math.floor(now() / 1000))
    },

    async embed(body, opts) {
      const knobs = await begin(opts)
      const inputs = Array.isArray(body.input) ? body.input : [body.input]
      const dimensions = body.dimensions ?? knobs.dimensions ?? 16
      let tokens = 0
      const data = inputs.map((input, index) => {
        const text = typeof input === 'string' ? input : JSON.stringify(input)
        tokens += Array.isArray(input) ? input.length : Math.max(1, Math.ceil(text.length / 4))
        const vector = embed(text, dimensions)
        // The official SDKs ask for base64 (little-endian float32) by default and decode it.
        const embedding =
          body.encoding_format === 'base64'
            ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
            : vector
        return { object: 'embedding' as const, index, embedding }
      })
      return {
        object: 'list',
        data,
        model: opts.model.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      } satisfies EmbeddingsResponse
    },

    async close() {},
  }
}

async function* streamReply(
  body: ChatBody,
  opts: CallOptions,
  knobs: SimulateConfig,
  created: number,
): AsyncGenerator<ChatChunk> {
  const reply = simulateReply(body, opts.model.model, knobs)
  const id = completionId(opts.requestId)
  const chunk = (choices: ChatChunk['choices'], usage?: ChatChunk['usage']): ChatChunk => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: opts.model.model,
    system_fingerprint: 'fp_gatehouse_simulated',
    choices,
    ...(usage === undefined ? {} : { usage }),
  })
  const size = knobs.chunk_chars ?? 16
  let sent = 0
  const pace = async (): Promise<void> => {
    if (knobs.cut_after_chunks !== undefined && sent >= knobs.cut_after_chunks) {
      throw new UpstreamError('stream_cut', 'simulated stream cut')
    }
    sent++
    if (knobs.chunk_delay_ms && sent > 1)
      await sleep(knobs.chunk_delay_ms, undefined, { signal: opts.signal.toAbortSignal() })
  }

  for (const [index, choice] of reply.choices.entries()) {
    await pace()
    yield chunk([
      { index, delta: { role: 'assistant', content: choice.toolCalls ? null : '' }, finish_reason: null },
    ])
    for (const [i, call] of (choice.toolCalls ?? []).entries()) {
      await pace()
      const head = {
        index: i,
        id: call.id,
        type: 'function' as const,
        function: { name: call.function.name, arguments: '' },
      }
      yield chunk([{ index, delta: { tool_calls: [head] }, finish_reason: null }])
      for (const piece of pieces(call.function.arguments, size)) {
        await pace()
        yield chunk([
          {
            index,
            delta: { tool_calls: [{ index: i, function: { arguments: piece } }] },
            finish_reason: null,
          },
        ])
      }
    }
    for (const piece of pieces(choice.content ?? '', size)) {
      await pace()
      yield chunk([{ index, delta: { content: piece }, finish_reason: null }])
    }
    await pace()
    yield chunk([{ index, delta: {}, finish_reason: choice.finishReason }])
  }
  await pace()
  yield chunk([], reply.usage)
}

function pieces(text: string, size: number): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

function stallUntilAborted(signal: CancelSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason)
    signal.addEventListener('abort', () => reject(signal.reason))
  })
}

function completionId(requestId: string): string {
  return `chatcmpl-sim-${createHash('sha256').update(requestId).digest('hex').slice(0, 24)}`
}

function logprobsFor(text: string) {
  const tokens = text.match(/\S+\s*/g) ?? []
  return {
    content: tokens.map((token) => ({
      token,
      logprob: -0.01,
      bytes: [...Buffer.from(token)],
      top_logprobs: [],
    })),
    refusal: null,
  }
}

/** A unit vector derived from the text: same text, same vector; similar use in demos of search. */
function embed(text: string, dimensions: number): number[] {
  const values: number[] = []
  let block = createHash('sha256').update(text).digest()
  while (values.length < dimensions) {
    for (let i = 0; i + 1 < block.length && values.length < dimensions; i += 2) {
      values.push(block.readUInt16BE(i) / 32_768 - 1)
    }
    block = createHash('sha256').update(block).digest()
  }
  const norm = Math.hypot(...values) || 1
  return values.map((v) => v / norm)
}
