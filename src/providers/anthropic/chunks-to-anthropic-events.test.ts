import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { readSse } from '../shared/sse.js'
import type { ChatChunk } from '../types.js'
import { anthropicStreamToChunks } from './anthropic-stream-to-chunks.js'
import type { AnthropicStreamEvent } from './anthropic-types.js'
import { chunksToAnthropicEvents } from './chunks-to-anthropic-events.js'

const read = (path: string) =>
  readFileSync(new URL(`../../../test/fixtures/${path}`, import.meta.url), 'utf8')

async function* bytes(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text)
}

async function openaiChunks(name: string): Promise<ChatChunk[]> {
  const out: ChatChunk[] = []
  for await (const event of readSse(bytes(read(`openai/${name}`)))) {
    if (event.data !== '[DONE]') out.push(JSON.parse(event.data) as ChatChunk)
  }
  return out
}

async function collect(chunks: AsyncIterable<ChatChunk> | ChatChunk[]): Promise<AnthropicStreamEvent[]> {
  const out: AnthropicStreamEvent[] = []
  const source = Array.isArray(chunks)
    ? (async function* () {
        yield* chunks
      })()
    : chunks
  for await (const event of chunksToAnthropicEvents(source)) out.push(event)
  return out
}

describe('chunksToAnthropicEvents', () => {
  it('writes Anthropic’s sequence for an OpenAI text stream, usage in message_delta', async () => {
    const events = await collect(await openaiChunks('chat-stream-text.sse'))
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ])
    expect(events[6]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: {
        input_tokens: 11,
        output_tokens: 5,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    })
  })

  it('opens one tool_use block per tool call, argument deltas as input_json_delta on that block', async () => {
    const events = await collect(await openaiChunks('chat-stream-tools.sse'))
    const starts = events.filter((e) => e.type === 'content_block_start')
    expect(starts).toEqual([
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'call_Paris0123456789abcdef', name: 'get_weather', input: {} },
      },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'call_Lyon0123456789abcdefg', name: 'get_weather', input: {} },
      },
    ])
    const json = (index: number) =>
      events
        .filter((e) => e.type === 'content_block_delta' && e.index === index)
        .map((e) => (e as { delta: { partial_json: string } }).delta.partial_json)
        .join('')
    expect(JSON.parse(json(0))).toEqual({ city: 'Paris' })
    expect(JSON.parse(json(1))).toEqual({ city: 'Lyon' })
    // Each block is closed before the next opens, as Anthropic's streams do.
    const order = events.map((e) => `${e.type}${'index' in e ? e.index : ''}`)
    expect(order.indexOf('content_block_stop0')).toBeLessThan(order.indexOf('content_block_start1'))
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: 'tool_use' } })
  })

  it('round-trips an Anthropic stream: the same blocks, deltas and stop reason come back', async () => {
    for (const name of ['stream-text.sse', 'stream-tool-use.sse']) {
      const original = [] as AnthropicStreamEvent[]
      for await (const e of readSse(bytes(read(`anthropic/${name}`)))) original.push(JSON.parse(e.data))
      const back = await collect(
        anthropicStreamToChunks(readSse(bytes(read(`anthropic/${name}`))), { createdS: 1 }),
      )
      const content = (events: AnthropicStreamEvent[]) =>
        events
          .filter((e) => e.type.startsWith('content_block'))
          // An empty input_json_delta carries nothing; Anthropic sends one, we do not.
          .filter(
            (e) =>
              !(
                e.type === 'content_block_delta' && (e.delta as { partial_json?: string }).partial_json === ''
              ),
          )
      expect(content(back)).toEqual(content(original))
      const stop = (events: AnthropicStreamEvent[]) => events.find((e) => e.type === 'message_delta')
      expect((stop(back) as { delta: unknown }).delta).toEqual((stop(original) as { delta: unknown }).delta)
    }
  })

  it('still writes a complete message for an empty stream', async () => {
    expect((await collect([])).map((e) => e.type)).toEqual(['message_start', 'message_delta', 'message_stop'])
  })
})
