import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { UpstreamError } from '../../errors.js'
import { readSse } from '../shared/sse.js'
import type { ChatChunk } from '../types.js'
import { anthropicStreamToChunks } from './anthropic-stream-to-chunks.js'

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/anthropic/${name}`, import.meta.url), 'utf8')

async function* pieces(text: string, cuts: number[] = []): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text)
  const points = [...new Set([0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length])].sort(
    (a, b) => a - b,
  )
  for (let i = 0; i + 1 < points.length; i++) yield bytes.subarray(points[i], points[i + 1])
}

async function collect(
  text: string,
  opts: { jsonTool?: string; cuts?: number[] } = {},
): Promise<ChatChunk[]> {
  const out: ChatChunk[] = []
  for await (const chunk of anthropicStreamToChunks(readSse(pieces(text, opts.cuts)), {
    jsonTool: opts.jsonTool,
    createdS: 1,
  }))
    out.push(chunk)
  return out
}

const content = (chunks: ChatChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')

describe('anthropicStreamToChunks', () => {
  it('translates a text stream event by event, usage in a final chunk', async () => {
    const chunks = await collect(fixture('stream-text.sse'))
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' })
    expect(chunks.map((c) => c.choices[0]?.delta.content).slice(1, 4)).toEqual(['Bonjour', ' à', ' tous 👋'])
    expect(content(chunks)).toBe('Bonjour à tous 👋')
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop')
    const last = chunks.at(-1)!
    expect(last.choices).toEqual([])
    expect(last.usage).toMatchObject({
      prompt_tokens: 25 + 1024,
      completion_tokens: 15,
      prompt_tokens_details: { cached_tokens: 1024 },
    })
    expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(['msg_01TextStream0123']))
  })

  it('keeps text, then each tool call with its id and argument deltas under its own index', async () => {
    const chunks = await collect(fixture('stream-tool-use.sse'))
    expect(content(chunks)).toBe('Checking both cities.')
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
    expect(calls).toEqual([
      {
        index: 0,
        id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
        type: 'function',
        function: { name: 'get_weather', arguments: '' },
      },
      { index: 0, function: { arguments: '{"city": "Pa' } },
      { index: 0, function: { arguments: 'ris"}' } },
      {
        index: 1,
        id: 'toolu_01Lyon4qAmk2tNTrN7Up6x',
        type: 'function',
        function: { name: 'get_weather', arguments: '' },
      },
      { index: 1, function: { arguments: '{"city": "Lyon"}' } },
    ])
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('tool_calls')
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 472, completion_tokens: 89 })
  })

  it('streams the JSON-mode tool input as content', async () => {
    const chunks = await collect(fixture('stream-tool-use.sse').replaceAll('get_weather', 'reply'), {
      jsonTool: 'reply',
    })
    expect(content(chunks)).toBe('Checking both cities.{"city": "Paris"}{"city": "Lyon"}')
    expect(chunks.some((c) => c.choices[0]?.delta.tool_calls)).toBe(false)
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop')
  })

  it('throws the error event as an upstream failure after the chunks before it', async () => {
    const out: ChatChunk[] = []
    const error = await (async () => {
      for await (const c of anthropicStreamToChunks(readSse(pieces(fixture('stream-error.sse'))), {
        createdS: 1,
      }))
        out.push(c)
    })().catch((e: unknown) => e)
    expect(content(out)).toBe('Partial')
    expect(error).toBeInstanceOf(UpstreamError)
    expect(error).toMatchObject({ failure: 'overloaded', message: 'Overloaded' })
  })

  it('calls a stream that ends before message_stop cut', async () => {
    const text = fixture('stream-text.sse').split('event: message_delta')[0]!
    await expect(collect(text)).rejects.toMatchObject({ failure: 'stream_cut' })
  })

  it('gives the same chunks however the bytes are split', async () => {
    for (const name of ['stream-text.sse', 'stream-tool-use.sse']) {
      const text = fixture(name)
      const whole = await collect(text)
      const size = Buffer.byteLength(text)
      await fc.assert(
        fc.asyncProperty(fc.array(fc.integer({ min: 1, max: size - 1 }), { maxLength: 40 }), async (cuts) => {
          expect(await collect(text, { cuts })).toEqual(whole)
        }),
        { numRuns: 60 },
      )
    }
  })
})
