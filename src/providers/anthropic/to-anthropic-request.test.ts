import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../errors.js'
import type { ChatBody } from '../types.js'
import { toAnthropicRequest } from './to-anthropic-request.js'

const opts = { provider: 'claude', defaultMaxTokens: 4096 }
const translate = (body: Partial<ChatBody>) =>
  toAnthropicRequest({ model: 'claude-x', messages: [{ role: 'user', content: 'hi' }], ...body }, opts)

function refusal(body: Partial<ChatBody>): GatewayError {
  try {
    translate(body)
  } catch (err) {
    return err as GatewayError
  }
  throw new Error('expected a refusal')
}

describe('toAnthropicRequest', () => {
  it('moves system and developer messages to the top-level system prompt and merges same-role turns', () => {
    const { request } = translate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'one' },
        { role: 'user', content: [{ type: 'text', text: 'two' }] },
        { role: 'developer', content: 'Answer in French.' },
        { role: 'assistant', content: 'un, deux' },
        { role: 'user', content: 'three' },
      ],
    })
    expect(request.system).toEqual([
      { type: 'text', text: 'Be brief.' },
      { type: 'text', text: 'Answer in French.' },
    ])
    expect(request.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'one' },
          { type: 'text', text: 'two' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'un, deux' }] },
      { role: 'user', content: [{ type: 'text', text: 'three' }] },
    ])
  })

  it('takes max_tokens from max_completion_tokens, max_tokens, else the default', () => {
    expect(translate({}).request.max_tokens).toBe(4096)
    expect(translate({ max_tokens: 100 }).request.max_tokens).toBe(100)
    expect(translate({ max_tokens: 100, max_completion_tokens: 50 }).request.max_tokens).toBe(50)
  })

  it('translates sampling, stop sequences and the user id', () => {
    const { request } = translate({ temperature: 0.3, top_p: 0.9, top_k: 40, stop: 'END', user: 'u-1' })
    expect(request).toMatchObject({
      temperature: 0.3,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
    })
    expect(translate({ stop: ['a', 'b'] }).request.stop_sequences).toEqual(['a', 'b'])
  })

  it('turns data: URLs into base64 sources and other URLs into url sources', () => {
    const { request } = translate({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'compare' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    })
    expect(request.messages[0]!.content).toEqual([
      { type: 'text', text: 'compare' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ])
  })

  it('translates tools, tool calls and tool results with their ids', () => {
    const { request } = translate({
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' } },
        },
        { type: 'function', function: { name: 'now' } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
            { id: 'call_2', type: 'function', function: { name: 'now', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18C' },
        { role: 'tool', tool_call_id: 'call_2', content: '12:00' },
        { role: 'user', content: 'thanks' },
      ],
    })
    expect(request.tools).toEqual([
      { name: 'get_weather', description: 'Weather', input_schema: { type: 'object' } },
      { name: 'now', input_schema: { type: 'object', properties: {} } },
    ])
    expect(request.tool_choice).toEqual({ type: 'tool', name: 'get_weather' })
    expect(request.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_2', name: 'now', input: {} },
      ],
    })
    // Tool results first, in one user turn, then the user's own text.
    expect(request.messages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: '18C' }] },
        { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '12:00' }] },
        { type: 'text', text: 'thanks' },
      ],
    })
  })

  it.each([
    ['none', { type: 'none' }],
    ['auto', { type: 'auto' }],
    ['required', { type: 'any' }],
  ])('maps tool_choice %s', (choice, expected) => {
    expect(translate({ tool_choice: choice }).request.tool_choice).toEqual(expected)
  })

  it('maps parallel_tool_calls: false to disable_parallel_tool_use', () => {
    expect(translate({ parallel_tool_calls: false }).request.tool_choice).toEqual({
      type: 'auto',
      disable_parallel_tool_use: true,
    })
    expect(translate({ parallel_tool_calls: false, tool_choice: 'required' }).request.tool_choice).toEqual({
      type: 'any',
      disable_parallel_tool_use: true,
    })
  })

  it('asks for JSON output through a forced tool with the caller schema', () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] }
    const call = translate({
      response_format: { type: 'json_schema', json_schema: { name: 'reply', schema } },
    })
    expect(call.jsonTool).toBe('reply')
    expect(call.request.tools).toEqual([
      { name: 'reply', description: expect.any(String), input_schema: schema },
    ])
    expect(call.request.tool_choice).toEqual({ type: 'tool', name: 'reply' })
    const plain = translate({ response_format: { type: 'json_object' } })
    expect(plain.request.tools![0]!.input_schema).toEqual({ type: 'object' })
  })

  it('refuses what Anthropic cannot do, naming the provider and the parameter', () => {
    for (const [body, param] of [
      [{ n: 2 }, 'n'],
      [{ logprobs: true }, 'logprobs'],
      [{ seed: 7 }, 'seed'],
      [{ presence_penalty: 0.5 }, 'presence_penalty'],
      [{ some_future_param: 1 }, 'some_future_param'],
      [{ temperature: 1.5 }, 'temperature'],
      [
        { response_format: { type: 'json_object' }, tools: [{ type: 'function', function: { name: 'f' } }] },
        'response_format',
      ],
      [
        { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] },
        'messages[0].content[0].type',
      ],
      [{ messages: [{ role: 'user', name: 'bob', content: 'hi' }] }, 'messages[0].name'],
    ] as Array<[Partial<ChatBody>, string]>) {
      const err = refusal(body)
      expect(err).toBeInstanceOf(GatewayError)
      expect(err.kind).toBe('unsupported_operation')
      expect(err.param).toBe(param)
      expect(err.message).toContain('Provider "claude" (anthropic)')
    }
  })

  it('accepts neutral values of parameters it cannot translate', () => {
    expect(() =>
      translate({ n: 1, logprobs: false, presence_penalty: 0, stream_options: { include_usage: true } }),
    ).not.toThrow()
  })

  it('refuses tool call arguments that are not JSON', () => {
    const err = refusal({
      messages: [
        {
          role: 'assistant',
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }],
        },
      ],
    })
    expect(err.kind).toBe('bad_request')
    expect(err.param).toBe('messages[0].tool_calls[0].function.arguments')
  })
})
