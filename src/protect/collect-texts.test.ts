import { describe, expect, it } from 'vitest'
import type { ChatBody } from '../providers/types.js'
import { collectTexts, replaceTexts } from './collect-texts.js'

const body: ChatBody = {
  model: 'm',
  messages: [
    { role: 'system', content: 'sys' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'a' },
        { type: 'image_url', image_url: { url: 'data:x' } },
        { type: 'text', text: 'b' },
      ],
    },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"q":1}' } }],
    },
    { role: 'tool', tool_call_id: 'c', content: 'result' },
  ],
}

describe('collectTexts / replaceTexts', () => {
  it('finds every text with who wrote it: system, user parts, tool arguments, tool results', () => {
    expect(collectTexts(body).map((s) => [s.source, s.text])).toEqual([
      ['system', 'sys'],
      ['user', 'a'],
      ['user', 'b'],
      ['assistant', '{"q":1}'],
      ['context', 'result'],
    ])
  })

  it('replaces texts copy-on-write: the original body is untouched, unchanged messages are shared', () => {
    const slots = collectTexts(body)
    const before = JSON.stringify(body)
    const out = replaceTexts(body, slots, ['sys', 'A', 'b', '{"q":2}', 'result'])
    expect(JSON.stringify(body)).toBe(before)
    expect(out.messages[0]).toBe(body.messages[0])
    expect(out.messages[3]).toBe(body.messages[3])
    expect(out.messages[1]!.content).toEqual([
      { type: 'text', text: 'A' },
      { type: 'image_url', image_url: { url: 'data:x' } },
      { type: 'text', text: 'b' },
    ])
    expect(out.messages[2]!.tool_calls![0]!.function.arguments).toBe('{"q":2}')
  })

  it('handles embeddings input, one string or many', () => {
    const one = { model: 'e', input: 'hello' }
    expect(collectTexts(one).map((s) => s.text)).toEqual(['hello'])
    expect(replaceTexts(one, collectTexts(one), ['HELLO']).input).toBe('HELLO')
    const many = { model: 'e', input: ['a', 'b'] }
    expect(replaceTexts(many, collectTexts(many), ['a', 'B']).input).toEqual(['a', 'B'])
  })
})
