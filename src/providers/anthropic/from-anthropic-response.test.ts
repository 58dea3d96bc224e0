import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { AnthropicResponse } from './anthropic-types.js'
import { fromAnthropicResponse } from './from-anthropic-response.js'

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../../test/fixtures/anthropic/${name}`, import.meta.url), 'utf8'),
  ) as AnthropicResponse

describe('fromAnthropicResponse', () => {
  it('translates a text answer with cache usage', () => {
    const res = fromAnthropicResponse(fixture('message-text.json'), { createdS: 1 })
    expect(res).toMatchObject({
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      object: 'chat.completion',
      model: 'claude-sonnet-4-20250514',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Bonjour à tous 👋' }, finish_reason: 'stop' },
      ],
    })
    // prompt = input + cache reads + cache writes
    expect(res.usage).toEqual({
      prompt_tokens: 21 + 2048 + 100,
      completion_tokens: 9,
      total_tokens: 21 + 2048 + 100 + 9,
      prompt_tokens_details: { cached_tokens: 2048 },
      cache_creation_input_tokens: 100,
    })
  })

  it('translates tool_use blocks into tool calls with the same ids', () => {
    const res = fromAnthropicResponse(fixture('message-tool-use.json'), { createdS: 1 })
    const choice = res.choices[0]!
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.content).toBe("I'll check the weather in both cities.")
    expect(choice.message.tool_calls).toEqual([
      {
        id: 'toolu_01A09q90qw90lq917835lq9',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      },
      {
        id: 'toolu_01B28r71xy45mn662893pq1',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Lyon"}' },
      },
    ])
  })

  it('hands the JSON-mode tool input back as the text of a normal answer', () => {
    const message = {
      ...fixture('message-tool-use.json'),
      content: [{ type: 'tool_use', id: 'toolu_1', name: 'reply', input: { answer: 'yes' } }],
    } as AnthropicResponse
    const choice = fromAnthropicResponse(message, { jsonTool: 'reply', createdS: 1 }).choices[0]!
    expect(choice.message.content).toBe('{"answer":"yes"}')
    expect(choice.message.tool_calls).toBeUndefined()
    expect(choice.finish_reason).toBe('stop')
  })

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
  ])('maps stop_reason %s to finish_reason %s', (stop, finish) => {
    const message = { ...fixture('message-text.json'), stop_reason: stop } as AnthropicResponse
    expect(fromAnthropicResponse(message, { createdS: 1 }).choices[0]!.finish_reason).toBe(finish)
  })
})
