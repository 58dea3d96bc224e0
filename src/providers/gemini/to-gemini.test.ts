import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../errors.js'
import type { ChatBody } from '../types.js'
import { toGeminiRequest } from './to-gemini.js'
import { toGeminiSchema } from './to-gemini-schema.js'
import { makeToolCallId } from './tool-call-id.js'

const chat = (extra: Partial<ChatBody>): ChatBody => ({
  model: 'gemini-2.5-flash',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
})

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: ['string', 'null'], enum: ['c', 'f'] } },
      required: ['city'],
      additionalProperties: false,
    },
    strict: true,
  },
}

function rejection(fn: () => unknown): GatewayError {
  try {
    fn()
  } catch (err) {
    if (err instanceof GatewayError) return err
    throw err
  }
  throw new Error('expected a GatewayError')
}

describe('toGeminiRequest', () => {
  it('moves system and developer messages to systemInstruction and maps roles', () => {
    const request = toGeminiRequest(
      chat({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
          { role: 'user', content: 'Hello' },
          { role: 'assistant', content: 'Bonjour' },
          { role: 'user', content: 'Capital of Italy?' },
        ],
      }),
    )
    expect(request.systemInstruction).toEqual({
      parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }],
    })
    expect(request.contents).toEqual([
      { role: 'user', parts: [{ text: 'Hello' }] },
      { role: 'model', parts: [{ text: 'Bonjour' }] },
      { role: 'user', parts: [{ text: 'Capital of Italy?' }] },
    ])
  })

  it('maps sampling parameters, stop, max tokens and JSON mode to generationConfig', () => {
    const request = toGeminiRequest(
      chat({
        temperature: 0.3,
        top_p: 0.9,
        seed: 42,
        n: 2,
        stop: 'END',
        max_completion_tokens: 100,
        presence_penalty: 0.5,
        frequency_penalty: 0.25,
        response_format: { type: 'json_object' },
        user: 'u-1',
        stream_options: { include_usage: true },
      }),
    )
    expect(request.generationConfig).toEqual({
      temperature: 0.3,
      topP: 0.9,
      seed: 42,
      candidateCount: 2,
      stopSequences: ['END'],
      maxOutputTokens: 100,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
      responseMimeType: 'application/json',
    })
  })

  it("turns a json_schema response format into responseSchema in Gemini's subset", () => {
    const request = toGeminiRequest(
      chat({
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'city',
            strict: true,
            schema: {
              type: 'object',
              properties: { name: { type: 'string' }, kind: { const: 'city' } },
              required: ['name'],
              additionalProperties: false,
            },
          },
        },
      }),
    )
    expect(request.generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseSchema: {
        type: 'object',
        properties: { name: { type: 'string' }, kind: { enum: ['city'] } },
        required: ['name'],
      },
    })
  })

  it('declares tools, with nullable types and without unsupported keywords', () => {
    const request = toGeminiRequest(chat({ tools: [weatherTool], tool_choice: 'required' }))
    expect(request.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: {
              type: 'object',
              properties: {
                city: { type: 'string' },
                unit: { type: 'string', nullable: true, enum: ['c', 'f'] },
              },
              required: ['city'],
            },
          },
        ],
      },
    ])
    expect(request.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } })
  })

  it('maps every tool_choice form', () => {
    const config = (tool_choice: unknown) =>
      toGeminiRequest(chat({ tools: [weatherTool], tool_choice })).toolConfig
    expect(config('auto')).toEqual({ functionCallingConfig: { mode: 'AUTO' } })
    expect(config('none')).toEqual({ functionCallingConfig: { mode: 'NONE' } })
    expect(config({ type: 'function', function: { name: 'get_weather' } })).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] },
    })
  })

  it('sends tool calls as functionCall parts and results as functionResponse parts named by call id', () => {
    const signed = makeToolCallId(0, undefined, 'CiIBVKhc7oP3mJ0zQ+/sig==')
    const request = toGeminiRequest(
      chat({
        messages: [
          { role: 'user', content: 'Weather in Paris and Berlin?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: signed,
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'get_time', arguments: '{"city":"Berlin"}' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '14:05' },
          { role: 'tool', tool_call_id: signed, content: '{"temp_c":21}' },
          { role: 'user', content: 'Thanks' },
        ],
      }),
    )
    expect(request.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Berlin?' }] },
      {
        role: 'model',
        parts: [
          {
            functionCall: { name: 'get_weather', args: { city: 'Paris' } },
            thoughtSignature: 'CiIBVKhc7oP3mJ0zQ+/sig==',
          },
          { functionCall: { name: 'get_time', args: { city: 'Berlin' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_time', response: { output: '14:05' } } },
          { functionResponse: { name: 'get_weather', response: { temp_c: 21 } } },
          { text: 'Thanks' },
        ],
      },
    ])
  })

  it("gives a call without a thought signature (another model's) the documented placeholder", () => {
    const request = toGeminiRequest(
      chat({
        messages: [
          { role: 'user', content: 'Weather?' },
          {
            role: 'assistant',
            content: 'Let me check.',
            tool_calls: [
              { id: 'call_abc123', type: 'function', function: { name: 'get_weather', arguments: '' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_abc123', content: '[1,2]' },
        ],
      }),
    )
    expect((request.contents as Array<{ parts: unknown[] }>).slice(1)).toEqual([
      {
        role: 'model',
        parts: [
          { text: 'Let me check.' },
          {
            functionCall: { name: 'get_weather', args: {} },
            thoughtSignature: 'skip_thought_signature_validator',
          },
        ],
      },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: [1, 2] } } }] },
    ])
  })

  it('sends data URLs inline and http URLs as fileData with a MIME type', () => {
    const request = toGeminiRequest(
      chat({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.JPG?size=large' } },
            ],
          },
        ],
      }),
    )
    expect((request.contents as Array<{ parts: unknown[] }>)[0]!.parts).toEqual([
      { text: 'Compare' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.JPG?size=large' } },
    ])
  })

  it('refuses what Gemini cannot do with a 400 naming the feature', () => {
    const image = (url: string) =>
      chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }] })
    expect(rejection(() => toGeminiRequest(image('https://example.com/image'))).message).toMatch(
      /Gemini does not support an image URL without/,
    )
    const audio = rejection(() =>
      toGeminiRequest(
        chat({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }),
      ),
    )
    expect(audio.kind).toBe('unsupported_operation')
    expect(audio.param).toBe('messages[0].content[0]')
    for (const [param, value] of [
      ['logprobs', true],
      ['logit_bias', { 50256: -100 }],
      ['parallel_tool_calls', false],
      ['reasoning_effort', 'low'],
    ] as const) {
      const err = rejection(() => toGeminiRequest(chat({ [param]: value })))
      expect(err.kind).toBe('unsupported_operation')
      expect(err.param).toBe(param)
      expect(err.message).toContain('Gemini')
    }
  })

  it('refuses a tool result whose call id matches no earlier call', () => {
    const err = rejection(() =>
      toGeminiRequest(chat({ messages: [{ role: 'tool', tool_call_id: 'call_9', content: 'x' }] })),
    )
    expect(err.kind).toBe('bad_request')
    expect(err.param).toBe('messages[0].tool_call_id')
  })
})

describe('toGeminiSchema', () => {
  it('inlines local $refs and turns oneOf into anyOf', () => {
    const schema = {
      type: 'object',
      $defs: { Point: { type: 'object', properties: { x: { type: 'number' } } } },
      properties: { a: { $ref: '#/$defs/Point' }, b: { oneOf: [{ type: 'string' }, { type: 'integer' }] } },
    }
    expect(toGeminiSchema(schema, 'p')).toEqual({
      type: 'object',
      properties: {
        a: { type: 'object', properties: { x: { type: 'number' } } },
        b: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
      },
    })
  })

  it('refuses recursion, unknown keywords and type unions, naming where', () => {
    const recursive = {
      $defs: { N: { type: 'object', properties: { next: { $ref: '#/$defs/N' } } } },
      $ref: '#/$defs/N',
    }
    expect(rejection(() => toGeminiSchema(recursive, 'p')).message).toContain('recursive')
    const allOf = rejection(() => toGeminiSchema({ type: 'object', properties: { a: { allOf: [] } } }, 'p'))
    expect(allOf.message).toContain('keyword "allOf"')
    expect(allOf.param).toBe('p.properties.a')
    expect(rejection(() => toGeminiSchema({ type: ['string', 'number'] }, 'p')).message).toContain(
      'type list',
    )
  })
})
