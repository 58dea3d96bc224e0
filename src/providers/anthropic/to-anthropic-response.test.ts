import { describe, expect, it } from 'vitest'
import type { ChatCompletion } from '../types.js'
import { toAnthropicResponse } from './to-anthropic-response.js'

const completion = (message: object, finish: string, usage?: object): ChatCompletion => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }],
  usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, ...usage },
})

describe('toAnthropicResponse', () => {
  it('writes text, stop reason and usage (cached tokens apart from input)', () => {
    const res = toAnthropicResponse(
      completion({ content: 'Hello' }, 'stop', { prompt_tokens_details: { cached_tokens: 64 } }),
    )
    expect(res).toEqual({
      id: 'chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-2024-08-06',
      content: [{ type: 'text', text: 'Hello' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 36,
        output_tokens: 20,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 64,
      },
    })
  })

  it('writes tool calls as tool_use blocks with the same ids and parsed input', () => {
    const res = toAnthropicResponse(
      completion(
        {
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
        },
        'tool_calls',
      ),
    )
    expect(res.content).toEqual([{ type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } }])
    expect(res.stop_reason).toBe('tool_use')
  })

  it.each([
    ['length', 'max_tokens'],
    ['content_filter', 'refusal'],
    ['stop', 'end_turn'],
  ])('maps finish_reason %s to %s', (finish, stop) => {
    expect(toAnthropicResponse(completion({ content: 'x' }, finish)).stop_reason).toBe(stop)
  })

  it('refuses tool arguments that are not JSON', () => {
    const bad = completion(
      { content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{' } }] },
      'tool_calls',
    )
    expect(() => toAnthropicResponse(bad)).toThrow(/not valid JSON/)
  })
})
