import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { encodeFrame, eventFrame, exceptionFrame } from '../../../test/fakes/aws-event-stream.js'
import { UpstreamError } from '../../errors.js'
import { readEventStream } from '../shared/event-stream.js'
import type { ChatChunk } from '../types.js'
import { converseStreamChunks } from './converse-stream.js'

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../test/fixtures/bedrock/${name}`, import.meta.url), 'utf8'))
const meta = {
  id: 'chatcmpl-req1',
  created: 1_700_000_000,
  model: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
}

/** Recorded events as the wire carries them: encoded frames, delivered in the given pieces. */
async function* wire(items: Array<Record<string, any>>, pieceBytes = 0): AsyncGenerator<Uint8Array> {
  const frames = items.map((i) =>
    i['event'] ? eventFrame(i['event'], i['payload']) : exceptionFrame(i['exception'], i['message']),
  )
  const bytes = Buffer.concat(frames)
  if (pieceBytes === 0) yield* frames
  else for (let i = 0; i < bytes.length; i += pieceBytes) yield bytes.subarray(i, i + pieceBytes)
}

async function chunksOf(source: AsyncIterable<Uint8Array>): Promise<ChatChunk[]> {
  const out: ChatChunk[] = []
  for await (const chunk of converseStreamChunks(readEventStream(source), meta)) out.push(chunk)
  return out
}

describe('converseStreamChunks', () => {
  it('translates a text stream event by event, usage last (fixture, 1-byte pieces)', async () => {
    const chunks = await chunksOf(wire(fixture('stream-text.events.json'), 1))
    expect(chunks.map((c) => c.choices[0]?.delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Bonjour' },
      { content: ', ça va ? ' },
      { content: 'Très bien 🎉' },
      {},
      undefined,
    ])
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop')
    expect(chunks.at(-1)).toEqual({
      ...meta,
      object: 'chat.completion.chunk',
      choices: [],
      usage: {
        prompt_tokens: 18,
        completion_tokens: 11,
        total_tokens: 29,
        prompt_tokens_details: { cached_tokens: 4 },
      },
    })
  })

  it('translates tool use: start with id and name, input deltas in order, OpenAI tool indexes (fixture)', async () => {
    const chunks = await chunksOf(wire(fixture('stream-tool-use.events.json'), 13))
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
    expect(calls).toEqual([
      {
        index: 0,
        id: 'tooluse_Qy1bGJ4PTQ2Z3mWkXyZ1aQ',
        type: 'function',
        function: { name: 'get_weather', arguments: '' },
      },
      { index: 0, function: { arguments: '' } },
      { index: 0, function: { arguments: '{"city": "Pa' } },
      { index: 0, function: { arguments: 'ris", "unit": "celsius"}' } },
      {
        index: 1,
        id: 'tooluse_8sLkPq0dRe2Jm4NbVc7XyA',
        type: 'function',
        function: { name: 'get_time', arguments: '' },
      },
      { index: 1, function: { arguments: '{"tz":"Europe/Paris"}' } },
    ])
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('tool_calls')
  })

  it('ends with the exception after the events before it (throttlingException -> rate_limited)', async () => {
    const got: ChatChunk[] = []
    const err = await (async () => {
      for await (const c of converseStreamChunks(
        readEventStream(wire(fixture('stream-throttled.events.json'), 5)),
        meta,
      ))
        got.push(c)
    })().catch((e: unknown) => e)
    expect(got.map((c) => c.choices[0]?.delta.content)).toEqual(['', 'The first part'])
    expect(err).toBeInstanceOf(UpstreamError)
    expect((err as UpstreamError).failure).toBe('rate_limited')
    expect((err as UpstreamError).message).toBe(
      'ThrottlingException: Too many tokens, please wait before trying again.',
    )
  })

  it.each([
    ['modelStreamErrorException', 'server'],
    ['internalServerException', 'server'],
    ['serviceUnavailableException', 'overloaded'],
    ['validationException', 'bad_request'],
  ])('maps a mid-stream %s to %s', async (type, failure) => {
    const err = await chunksOf(wire([{ exception: type, message: 'boom' }])).catch((e: unknown) => e)
    expect((err as UpstreamError).failure).toBe(failure)
  })

  it('reads an over-long prompt reported mid-stream as context_length', async () => {
    const items = [{ exception: 'validationException', message: 'Input is too long for requested model.' }]
    const err = await chunksOf(wire(items)).catch((e: unknown) => e)
    expect((err as UpstreamError).failure).toBe('context_length')
  })

  it('reads a protocol error message (headers only) as a failure', async () => {
    async function* source() {
      yield encodeFrame(
        { ':message-type': 'error', ':error-code': 'InternalFailure', ':error-message': 'oops' },
        '',
      )
    }
    const err = await chunksOf(source()).catch((e: unknown) => e)
    expect((err as UpstreamError).message).toBe('InternalFailure: oops')
  })

  it('reports a stream that ends before messageStop as cut', async () => {
    const items = fixture('stream-text.events.json').slice(0, 3)
    const err = await chunksOf(wire(items)).catch((e: unknown) => e)
    expect((err as UpstreamError).failure).toBe('stream_cut')
  })
})
