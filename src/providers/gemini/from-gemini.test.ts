import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { UpstreamError } from '../../errors.js'
import { readSse } from '../shared/sse.js'
import type { ChatChunk } from '../types.js'
import { createGeminiStreamTranslator, fromGeminiResponse, type GeminiResponse } from './from-gemini.js'
import { toGeminiEmbeddings } from './gemini-embeddings.js'
import { readGeminiError } from './read-gemini-error.js'
import { readToolCallId } from './tool-call-id.js'

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/gemini/${name}`, import.meta.url), 'utf8')
const meta = { id: 'chatcmpl-req1', model: 'gemini-2.5-flash', created: 1_754_000_000 }

async function* pieces(text: string, cuts: number[]): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  const points = [...new Set([0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length])].sort(
    (a, b) => a - b,
  )
  for (let i = 0; i + 1 < points.length; i++) yield bytes.subarray(points[i], points[i + 1])
}

async function translate(sse: string, cuts: number[] = []): Promise<ChatChunk[]> {
  const translator = createGeminiStreamTranslator(meta)
  const out: ChatChunk[] = []
  for await (const event of readSse(pieces(sse, cuts))) {
    const chunk = translator.event(JSON.parse(event.data) as GeminiResponse)
    if (chunk) out.push(chunk)
  }
  const last = translator.finish()
  if (last) out.push(last)
  return out
}

describe('fromGeminiResponse', () => {
  it('translates a text answer with usage', () => {
    const completion = fromGeminiResponse(JSON.parse(fixture('chat-text.json')), meta)
    expect(completion).toMatchObject({
      id: 'Wq5saPG0ApSlkdUP2NaG6Ak',
      object: 'chat.completion',
      model: 'gemini-2.0-flash',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Paris is the capital of France.' },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 9, completion_tokens: 7, total_tokens: 16 },
    })
  })

  it('translates a function call into tool_calls, keeping the thought signature in the id', () => {
    const completion = fromGeminiResponse(JSON.parse(fixture('chat-tools.json')), meta)
    const choice = completion.choices[0]!
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.content).toBeNull()
    const call = choice.message.tool_calls![0]!
    expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' })
    expect(call.id).toMatch(/^call_0__ts_[A-Za-z0-9_-]+$/)
    expect(readToolCallId(call.id)).toEqual({ id: 'call_0', signature: 'CiIBVKhc7oP3mJ0zQ+/sig==' })
    // Thinking tokens are output tokens, reported as reasoning tokens as OpenAI does.
    expect(completion.usage).toMatchObject({
      prompt_tokens: 52,
      completion_tokens: 68,
      total_tokens: 120,
      completion_tokens_details: { reasoning_tokens: 53 },
    })
  })

  it('maps finish reasons', () => {
    const withReason = (finishReason: string) =>
      fromGeminiResponse({ candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason }] }, meta)
        .choices[0]!.finish_reason
    expect(withReason('MAX_TOKENS')).toBe('length')
    for (const reason of ['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT']) {
      expect(withReason(reason)).toBe('content_filter')
    }
    expect(() => withReason('MALFORMED_FUNCTION_CALL')).toThrow(UpstreamError)
  })

  it('turns a blocked prompt into a content_filter failure', () => {
    const blocked = () => fromGeminiResponse(JSON.parse(fixture('blocked-prompt.json')), meta)
    expect(blocked).toThrow(/Gemini blocked the prompt \(PROHIBITED_CONTENT\)/)
    try {
      blocked()
    } catch (err) {
      expect((err as UpstreamError).failure).toBe('content_filter')
    }
  })
})

describe('Gemini stream translation', () => {
  it('translates the recorded text stream event by event, usage last', async () => {
    const chunks = await translate(fixture('stream-text.sse'))
    expect(chunks.map((c) => c.choices[0]?.delta ?? null)).toEqual([
      { role: 'assistant', content: 'The capital of France' },
      { content: ' is Paris — über schön 🎉.' },
      {},
      null,
    ])
    expect(chunks[2]!.choices[0]!.finish_reason).toBe('stop')
    expect(chunks.at(-1)).toMatchObject({
      id: 'hQZ8aPa1D8Cm1dkP0qKlmAw',
      choices: [],
      usage: {
        prompt_tokens: 9,
        completion_tokens: 36,
        total_tokens: 45,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 25 },
      },
    })
  })

  it('gives the same chunks however the bytes are split (property)', async () => {
    const sse = fixture('stream-text.sse')
    const whole = await translate(sse)
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: sse.length * 2 }), { maxLength: 30 }), async (cuts) => {
        expect(await translate(sse, cuts)).toEqual(whole)
      }),
      { numRuns: 100 },
    )
  })

  it('translates parallel function calls with indexes and ids, finish reason tool_calls', async () => {
    const chunks = await translate(fixture('stream-tools.sse'))
    const choice = chunks[0]!.choices[0]!
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.delta.role).toBe('assistant')
    expect(choice.delta.tool_calls).toEqual([
      {
        index: 0,
        id: expect.stringMatching(/^call_0__ts_/),
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
      },
      {
        index: 1,
        id: 'call_1',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Berlin","unit":"celsius"}' },
      },
    ])
    expect(chunks.at(-1)!.usage).toMatchObject({
      prompt_tokens: 61,
      completion_tokens: 89,
      total_tokens: 150,
    })
  })

  it('calls a stream without a finish reason cut', async () => {
    const cut = fixture('stream-text.sse').split('\r\n\r\n').slice(0, 2).join('\r\n\r\n') + '\r\n\r\n'
    await expect(translate(cut)).rejects.toMatchObject({ failure: 'stream_cut' })
  })
})

describe('toGeminiEmbeddings', () => {
  it('builds embedContent, batchEmbedContents and predict bodies and refuses unknown parameters', () => {
    expect(toGeminiEmbeddings({ model: 'm', input: 'a', user: 'u' }, 'gemini-embedding-001', false)).toEqual({
      method: 'embedContent',
      body: { content: { parts: [{ text: 'a' }] } },
    })
    expect(
      toGeminiEmbeddings({ model: 'm', input: ['a'], dimensions: 8 }, 'gemini-embedding-001', true),
    ).toEqual({
      method: 'predict',
      body: { instances: [{ content: 'a' }], parameters: { outputDimensionality: 8 } },
    })
    expect(() => toGeminiEmbeddings({ model: 'm', input: 'a', task_type: 'x' }, 'e', false)).toThrow(
      'Gemini embeddings do not support the "task_type" parameter.',
    )
    expect(() => toGeminiEmbeddings({ model: 'm', input: [[1, 2]] }, 'e', false)).toThrow(/not token ids/)
  })
})

describe('readGeminiError', () => {
  it('reads status, message and RetryInfo', () => {
    expect(readGeminiError(JSON.parse(fixture('error-429.json')))).toMatchObject({
      failure: 'rate_limited',
      retryAfterS: 7,
      message: expect.stringContaining('You exceeded your current quota'),
    })
    expect(readGeminiError(JSON.parse(fixture('error-400-context.json'))).failure).toBe('context_length')
    expect(readGeminiError(JSON.parse(fixture('error-400-key.json'))).failure).toBe('auth')
    expect(readGeminiError(JSON.parse(fixture('error-503.json'))).failure).toBe('server')
    expect(readGeminiError([{ error: { code: 404, message: 'nope', status: 'NOT_FOUND' } }]).failure).toBe(
      'not_found',
    )
  })
})
