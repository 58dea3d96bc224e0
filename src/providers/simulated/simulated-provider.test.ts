import { describe, expect, it } from 'vitest'
import { CancelSignal } from '../../cancel-signal.js'
import type { ResolvedModel, ResolvedProvider } from '../../config/load.js'
import type { SimulateConfig } from '../../config/schema.js'
import { UpstreamError } from '../../errors.js'
import type { CallOptions, ChatChunk } from '../types.js'
import { createSimulatedProvider } from './simulated-provider.js'

const provider = (simulate?: SimulateConfig) =>
  createSimulatedProvider(
    {
      name: 'sim',
      kind: 'simulated',
      trust: 'onprem',
      connect_timeout_ms: 1,
      timeout_ms: 1,
      stream_usage: true,
      max_connections: 1,
      simulate,
    } as ResolvedProvider,
    { now: () => 1_700_000_000_000 },
  )
const model = {
  name: 'sim-fast',
  model: 'sim-fast',
  provider: 'sim',
  type: 'chat',
  drop_params: [],
  default_params: {},
  rename_params: {},
} as ResolvedModel
const opts = (extra: Partial<CallOptions> = {}): CallOptions => ({
  signal: new CancelSignal(),
  model,
  requestId: 'r1',
  ...extra,
})
const body = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'sim-fast',
  messages: [{ role: 'user', content }],
  ...extra,
})

async function drain(events: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const out: ChatChunk[] = []
  for await (const chunk of events) out.push(chunk)
  return out
}

describe('simulated provider', () => {
  it('answers deterministically from the prompt, with usage', async () => {
    const a = await provider().chat(body('hello'), opts())
    const b = await provider().chat(body('hello'), opts())
    expect(a).toEqual(b)
    expect(a.choices[0]!.message.content).toBe('Simulated reply from sim-fast: you said "hello".')
    expect(a.usage).toEqual({ prompt_tokens: 5, completion_tokens: 13, total_tokens: 18 })
  })

  it('streams the same text in chunks, then a usage-only chunk', async () => {
    const full = await provider().chat(body('stream me'), opts())
    const chunks = await drain(await provider({ chunk_chars: 5 }).stream(body('stream me'), opts()))
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')
    expect(text).toBe(full.choices[0]!.message.content)
    expect(chunks.length).toBeGreaterThan(5)
    expect(chunks.at(-1)!.choices).toEqual([])
    expect(chunks.at(-1)!.usage).toEqual(full.usage)
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop')
  })

  it('fails with the configured status and Retry-After', async () => {
    const err = await provider({ fail_status: 429, retry_after_s: 7 })
      .chat(body('x'), opts())
      .catch((e) => e)
    expect(err).toBeInstanceOf(UpstreamError)
    expect(err).toMatchObject({ failure: 'rate_limited', status: 429, retryAfterS: 7 })
    const server = await provider()
      .chat(body('x'), opts({ simulate: { fail_status: 503 } }))
      .catch((e) => e)
    expect(server).toMatchObject({ failure: 'server', status: 503 })
  })

  it('cuts a stream after the given number of chunks', async () => {
    const events = await provider({ cut_after_chunks: 2 }).stream(body('a long enough prompt'), opts())
    const seen: ChatChunk[] = []
    const err = await (async () => {
      for await (const chunk of events) seen.push(chunk)
    })().catch((e) => e)
    expect(seen).toHaveLength(2)
    expect(err).toMatchObject({ failure: 'stream_cut' })
  })

  it('stalls until the caller gives up', async () => {
    const signal = new CancelSignal()
    const pending = provider({ stall: true }).chat(body('x'), opts({ signal }))
    setTimeout(() => signal.abort(new Error('gave up')), 20)
    await expect(pending).rejects.toThrow('gave up')
  })

  it('adds latency', async () => {
    const started = performance.now()
    await provider().chat(body('x'), opts({ simulate: { latency_ms: 60 } }))
    expect(performance.now() - started).toBeGreaterThanOrEqual(55)
  })

  it('honours stop and max_tokens', async () => {
    const stopped = await provider().chat(body('hello', { stop: 'you' }), opts())
    expect(stopped.choices[0]!.message.content).toBe('Simulated reply from sim-fast: ')
    const short = await provider().chat(body('hello', { max_tokens: 2 }), opts())
    expect(short.choices[0]!.message.content).toHaveLength(8)
    expect(short.choices[0]!.finish_reason).toBe('length')
  })

  it('streams tool call deltas that reassemble into valid JSON', async () => {
    const tools = [
      {
        type: 'function',
        function: {
          name: 'search',
          parameters: { type: 'object', properties: { q: { type: 'string' }, limit: { type: 'integer' } } },
        },
      },
    ]
    const chunks = await drain(await provider({ chunk_chars: 3 }).stream(body('cats', { tools }), opts()))
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
    expect(deltas[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'search' } })
    expect(JSON.parse(deltas.map((d) => d.function?.arguments ?? '').join(''))).toEqual({
      q: 'cats',
      limit: 1,
    })
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('tool_calls')
  })

  it('embeds deterministically as unit vectors, in float or base64', async () => {
    const res = await provider().embed({ model: 'e', input: ['a', 'b'], dimensions: 8 }, opts())
    expect(res.data).toHaveLength(2)
    const [a, b] = res.data.map((d) => d.embedding as number[])
    expect(Math.hypot(...a!)).toBeCloseTo(1, 6)
    expect(a).not.toEqual(b)
    const encoded = await provider().embed(
      { model: 'e', input: 'a', dimensions: 8, encoding_format: 'base64' },
      opts(),
    )
    const decoded = new Float32Array(
      Uint8Array.from(Buffer.from(encoded.data[0]!.embedding as string, 'base64')).buffer,
    )
    expect(decoded[0]).toBeCloseTo(a![0]!, 5)
  })
})
