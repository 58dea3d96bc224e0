import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../errors.js'
import type { ChatChunk } from '../types.js'
import { readMistralError } from './read-mistral-error.js'
import { fromMistralChunk, mistralToolCallId, toMistralChat, toMistralEmbeddings } from './to-mistral.js'

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/mistral/${name}`, import.meta.url), 'utf8')

describe('toMistralChat', () => {
  it('renames seed, max_completion_tokens and tool_choice required; drops stream_options and user', () => {
    const out = toMistralChat({
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: 'hi' }],
      seed: 7,
      max_completion_tokens: 64,
      tool_choice: 'required',
      stream: true,
      stream_options: { include_usage: true },
      user: 'u-1',
      response_format: { type: 'json_object' },
      safe_prompt: true,
    })
    expect(out).toEqual({
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: 'hi' }],
      random_seed: 7,
      max_tokens: 64,
      tool_choice: 'any',
      stream: true,
      response_format: { type: 'json_object' },
      safe_prompt: true,
    })
  })

  it('maps foreign tool call ids to 9 alphanumerics, the same in the call and its result', () => {
    const out = toMistralChat({
      model: 'm',
      messages: [
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_Paris0123456789abcdef', type: 'function', function: { name: 'f', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_Paris0123456789abcdef', content: 'ok' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'D681PevKs', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
      ],
    }) as { messages: Array<{ tool_calls?: Array<{ id: string }>; tool_call_id?: string }> }
    const mapped = out.messages[0]!.tool_calls![0]!.id
    expect(mapped).toMatch(/^[A-Za-z0-9]{9}$/)
    expect(out.messages[1]!.tool_call_id).toBe(mapped)
    expect(out.messages[2]!.tool_calls![0]!.id).toBe('D681PevKs')
    expect(mistralToolCallId('call_Paris0123456789abcdef')).toBe(mapped)
  })

  it('refuses log probabilities and logit bias with a 400 naming Mistral', () => {
    for (const [param, value] of [
      ['logprobs', true],
      ['top_logprobs', 2],
      ['logit_bias', { 1: 2 }],
    ] as const) {
      let caught: unknown
      try {
        toMistralChat({ model: 'm', messages: [], [param]: value })
      } catch (err) {
        caught = err
      }
      expect(caught).toBeInstanceOf(GatewayError)
      expect((caught as GatewayError).param).toBe(param)
      expect((caught as GatewayError).message).toBe(`Mistral does not support ${param}.`)
    }
  })
})

describe('fromMistralChunk', () => {
  it('splits the recorded last chunk into a finish chunk and a usage-only chunk', () => {
    const chunks = fixture('chat-stream-text.sse')
      .split('\n\n')
      .filter((e) => e.startsWith('data: {'))
      .flatMap((e) => {
        const out = fromMistralChunk(JSON.parse(e.slice(6)) as ChatChunk)
        return Array.isArray(out) ? out : [out]
      })
    expect(chunks).toHaveLength(5)
    expect(chunks[3]).not.toHaveProperty('usage')
    expect(chunks[3]!.choices[0]!.finish_reason).toBe('stop')
    expect(chunks[4]).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 7, completion_tokens: 6, total_tokens: 13 },
    })
  })

  it("keeps the text of a reasoning model's content chunks, not its thinking", () => {
    const chunk = fromMistralChunk({
      id: 'x',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'magistral-medium-latest',
      choices: [
        {
          index: 0,
          delta: {
            content: [
              { type: 'thinking', thinking: [{ type: 'text', text: 'The user greets me.' }] },
              { type: 'text', text: 'Bonjour' },
            ],
          },
          finish_reason: null,
        },
      ],
    }) as ChatChunk
    expect(chunk.choices[0]!.delta.content).toBe('Bonjour')
  })

  it('adds the type Mistral leaves out of tool calls (recorded stream)', () => {
    const events = fixture('chat-stream-tools.sse')
      .split('\n\n')
      .filter((e) => e.startsWith('data: {'))
      .map((e) => fromMistralChunk(JSON.parse(e.slice(6)) as ChatChunk))
    const call = (events[1] as ChatChunk[])[0]!.choices[0]!.delta.tool_calls![0]!
    expect(call).toEqual({
      index: 0,
      id: 'D681PevKs',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city": "Paris"}' },
    })
  })

  it('maps model_length to length', () => {
    const chunk = fromMistralChunk({
      id: 'x',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta: {}, finish_reason: 'model_length' }],
    }) as ChatChunk
    expect(chunk.choices[0]!.finish_reason).toBe('length')
  })
})

describe('toMistralEmbeddings', () => {
  it('renames dimensions and refuses token ids', () => {
    expect(
      toMistralEmbeddings({
        model: 'mistral-embed',
        input: ['a'],
        dimensions: 256,
        encoding_format: 'base64',
      }),
    ).toEqual({
      model: 'mistral-embed',
      input: ['a'],
      output_dimension: 256,
    })
    expect(() => toMistralEmbeddings({ model: 'mistral-embed', input: [1, 2, 3] })).toThrow(
      /text input, not token ids/,
    )
  })
})

describe('readMistralError', () => {
  it('reads the envelope, validation details, bare messages and context length', () => {
    expect(readMistralError(JSON.parse(fixture('error-422.json')))).toEqual({
      message: 'seed: Extra inputs are not permitted',
    })
    expect(readMistralError(JSON.parse(fixture('error-400-context.json')))).toMatchObject({
      failure: 'context_length',
    })
    expect(readMistralError(JSON.parse(fixture('error-429.json')))).toEqual({
      message: 'Requests rate limit exceeded',
    })
    expect(
      readMistralError({ detail: [{ loc: ['body', 'top_p'], msg: 'Input should be a valid number' }] }),
    ).toEqual({
      message: 'top_p: Input should be a valid number',
    })
  })
})
