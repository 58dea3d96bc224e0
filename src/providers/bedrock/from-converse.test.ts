import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { finishReason, fromConverseResponse } from './from-converse.js'

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../test/fixtures/bedrock/${name}`, import.meta.url), 'utf8'))
const meta = {
  id: 'chatcmpl-req1',
  created: 1_700_000_000,
  model: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
}

describe('fromConverseResponse', () => {
  it('translates a text answer with usage (fixture)', () => {
    expect(fromConverseResponse(fixture('converse-text.json'), meta)).toEqual({
      ...meta,
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Paris is the capital of France.' },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 21,
        completion_tokens: 9,
        total_tokens: 30,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    })
  })

  it('translates tool use: ids kept, input as JSON arguments, cached tokens counted in the prompt', () => {
    const res = fromConverseResponse(fixture('converse-tool-use.json'), meta)
    expect(res.choices[0]!.finish_reason).toBe('tool_calls')
    expect(res.choices[0]!.message.content).toBe("I'll look up the weather in both cities.")
    expect(res.choices[0]!.message.tool_calls).toEqual([
      {
        id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
      },
      {
        id: 'tooluse_3n9cQ1bYT2uKq8XyZ0aB4w',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Lyon","unit":"celsius"}' },
      },
    ])
    expect(res.usage).toEqual({
      prompt_tokens: 1112,
      completion_tokens: 97,
      total_tokens: 1209,
      prompt_tokens_details: { cached_tokens: 1024 },
    })
  })

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
  ])('maps stopReason %s to %s', (stop, finish) => {
    expect(finishReason(stop)).toBe(finish)
  })
})
