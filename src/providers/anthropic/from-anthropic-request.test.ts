import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../errors.js'
import { fromAnthropicRequest } from './from-anthropic-request.js'

const base = { model: 'gpt-4o', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }

function refusal(body: unknown): GatewayError {
  try {
    fromAnthropicRequest(body)
  } catch (err) {
    return err as GatewayError
  }
  throw new Error('expected a refusal')
}

describe('fromAnthropicRequest', () => {
  it('translates system, sampling, stop sequences, user id and streaming', () => {
    const body = fromAnthropicRequest({
      ...base,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      temperature: 0.4,
      top_p: 0.8,
      top_k: 20,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
      stream: true,
    })
    expect(body).toEqual({
      model: 'gpt-4o',
      max_tokens: 100,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'user', content: 'hi' },
      ],
      temperature: 0.4,
      top_p: 0.8,
      top_k: 20,
      stop: ['END'],
      user: 'u-1',
      stream: true,
      stream_options: { include_usage: true },
    })
  })

  it('turns images into image_url parts (data: URL for base64) and tool results into tool messages first', () => {
    const body = fromAnthropicRequest({
      ...base,
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '18C' }] },
            { type: 'text', text: 'and this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
          ],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_2', content: 'boom', is_error: true }],
        },
      ],
    })
    expect(body.messages).toEqual([
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          {
            id: 'toolu_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'and this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: boom' },
    ])
  })

  it.each([
    [{ type: 'auto' }, 'auto'],
    [{ type: 'any' }, 'required'],
    [{ type: 'none' }, 'none'],
    [
      { type: 'tool', name: 'f' },
      { type: 'function', function: { name: 'f' } },
    ],
  ])('translates tools and tool_choice %j', (choice, expected) => {
    const body = fromAnthropicRequest({
      ...base,
      tools: [{ name: 'f', description: 'does f', input_schema: { type: 'object' } }],
      tool_choice: { ...choice, disable_parallel_tool_use: true },
    })
    expect(body['tools']).toEqual([
      { type: 'function', function: { name: 'f', description: 'does f', parameters: { type: 'object' } } },
    ])
    expect(body['tool_choice']).toEqual(expected)
    expect(body['parallel_tool_calls']).toBe(false)
  })

  it('translates output_config.format into a JSON schema response_format', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } }
    const body = fromAnthropicRequest({ ...base, output_config: { format: { type: 'json_schema', schema } } })
    expect(body['response_format']).toEqual({ type: 'json_schema', json_schema: { name: 'output', schema } })
  })

  it.each([
    [{ ...base, max_tokens: undefined }, 'max_tokens', 'bad_request'],
    [{ ...base, model: '' }, 'model', 'bad_request'],
    [{ ...base, messages: [] }, 'messages', 'bad_request'],
    [{ ...base, messages: [{ role: 'system', content: 'x' }] }, 'messages[0].role', 'bad_request'],
    [{ ...base, temperature: 1.5 }, 'temperature', 'bad_request'],
    [{ ...base, thinking: { type: 'enabled', budget_tokens: 1024 } }, 'thinking', 'unsupported_operation'],
    [
      { ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] },
      'tools[0].type',
      'unsupported_operation',
    ],
    [
      { ...base, messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] },
      'messages[0].content[0].type',
      'unsupported_operation',
    ],
    [{ ...base, output_config: { effort: 'high' } }, 'output_config.effort', 'unsupported_operation'],
  ])('refuses %j naming the field', (body, param, kind) => {
    const err = refusal(body)
    expect(err).toBeInstanceOf(GatewayError)
    expect(err.param).toBe(param)
    expect(err.kind).toBe(kind)
  })
})
