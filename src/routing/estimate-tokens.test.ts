import fc from 'fast-check'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { ChatBody, ChatMessage } from '../providers/types.js'
import { createTokenEstimator, type Tokenizer, upperBoundTokens } from './estimate-tokens.js'

// The oracle: gpt-tokenizer's own encode, loaded once for the tests that compare against it.
let encode: (text: string) => number[]
beforeAll(async () => {
  const o200k = await import('gpt-tokenizer/encoding/o200k_base')
  encode = (text) => o200k.encode(text, { disallowedSpecial: new Set() })
})
const tokens = (text: string) => encode(text).length

const estimator = createTokenEstimator()
const chat = (messages: ChatMessage[], fields: Record<string, unknown> = {}): ChatBody => ({
  model: 'gpt-4o',
  messages,
  ...fields,
})

// The cookbook "How to count tokens with tiktoken", section 6: the API reported 124 prompt tokens
// for these messages on gpt-4o and gpt-4o-mini.
const COOKBOOK_MESSAGES: ChatMessage[] = [
  {
    role: 'system',
    content:
      'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.',
  },
  { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  {
    role: 'system',
    name: 'example_assistant',
    content: 'Things working well together will increase revenue.',
  },
  {
    role: 'system',
    name: 'example_user',
    content:
      "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
  },
  {
    role: 'system',
    name: 'example_assistant',
    content: "Let's talk later when we're less busy about how to do better.",
  },
  {
    role: 'user',
    content: "This late pivot means we don't have time to boil the ocean for the client deliverable.",
  },
]

// Section 7: with this tool the API reported 101 prompt tokens on gpt-4o.
const COOKBOOK_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_current_weather',
      description: 'Get the current weather in a given location',
      parameters: {
        type: 'object',
        properties: {
          location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
          unit: {
            type: 'string',
            description: 'The unit of temperature to return',
            enum: ['celsius', 'fahrenheit'],
          },
        },
        required: ['location'],
      },
    },
  },
]
const COOKBOOK_TOOL_MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'You are a helpful assistant that can answer to questions about the weather.' },
  { role: 'user', content: "What's the weather like in San Francisco?" },
]

// Text that stresses byte counts and tokenization: any code point, graphemes, ZWJ emoji, flags,
// combining marks, lone surrogates, whitespace and digit runs, and special-token look-alikes.
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      '👩‍👩‍👧‍👦',
      '🇫🇷',
      '👍🏽',
      'e\u0301',
      'é',
      '\uD800',
      '\uDFFF',
      '<|endoftext|>',
      '<|im_start|>',
      ' ',
      '\n',
      '\t',
      '1234',
      'ab',
      'Ж',
      '日本',
    ),
    maxLength: 30,
  }),
)

const part = fc.oneof(
  text.map((t) => ({ type: 'text', text: t })),
  fc
    .constantFrom('low', 'high', 'auto', undefined)
    .map((detail) => ({ type: 'image_url', image_url: { url: 'https://x.test/a.png', detail } })),
  fc.record({
    type: fc.constant('input_audio'),
    input_audio: fc.record({ data: fc.base64String({ maxLength: 40 }), format: fc.constant('wav') }),
  }),
)

const toolCall = fc.record({
  id: text,
  type: fc.constant('function' as const),
  function: fc.record({ name: text, arguments: fc.oneof(fc.json(), text) }),
})

const message: fc.Arbitrary<ChatMessage> = fc.record(
  {
    role: fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool'),
    content: fc.oneof(text, fc.array(part, { maxLength: 4 }), fc.constant(null)),
    name: text,
    tool_calls: fc.array(toolCall, { maxLength: 2 }),
    tool_call_id: text,
  },
  { requiredKeys: ['role'] },
)

const chatBody: fc.Arbitrary<ChatBody> = fc.record(
  {
    model: fc.constant('gpt-4o'),
    messages: fc.array(message, { maxLength: 6 }),
    tools: fc.array(
      fc.record({
        type: fc.constant('function'),
        function: fc.record({ name: text, description: text, parameters: fc.jsonValue() }),
      }),
      { maxLength: 2 },
    ),
    tool_choice: fc.oneof(
      fc.constant('auto'),
      fc.record({ type: fc.constant('function'), function: fc.record({ name: text }) }),
    ),
  },
  { requiredKeys: ['model', 'messages'] },
)

describe('countText', () => {
  it('matches the o200k_base token ids printed in the cookbook', async () => {
    const cases: Array<[string, number[]]> = [
      ['tiktoken is great!', [83, 8251, 2488, 382, 2212, 0]],
      ['antidisestablishmentarianism', [493, 129901, 376, 160388, 21203, 2367]],
      ['2 + 2 = 4', [17, 659, 220, 17, 314, 220, 19]],
      ['お誕生日おめでとう', [8930, 9697, 243, 128225, 8930, 17693, 4344, 48669]],
    ]
    for (const [text, ids] of cases) {
      expect(encode(text)).toEqual(ids)
      expect(await estimator.countText(text)).toBe(ids.length)
    }
  })

  it('agrees with gpt-tokenizer’s encode on emoji, mixed scripts and code', async () => {
    for (const text of [
      '',
      'Hello, world!',
      '👩‍👩‍👧‍👦 family 🇫🇷 flag, e\u0301 vs é',
      'Привет, мир! مرحبا بالعالم. 你好，世界。',
      'export const x = (a: number): string => `${a}`\n\n\tif (x) { return }',
    ]) {
      expect(await estimator.countText(text)).toBe(tokens(text))
    }
  })

  it('extrapolates a text over 16k characters from its first 16k, within a few percent of exact', async () => {
    const short = 'The quarterly report shows steady growth in every region. '
    const text = short.repeat(Math.ceil(200_000 / short.length))
    const exact = tokens(text)
    const estimate = await estimator.countText(text)
    // Exactly the sample's ratio applied to the whole length: not the exact count...
    expect(estimate).toBe(Math.ceil((tokens(text.slice(0, 16_384)) / 16_384) * text.length))
    // ...but close to it for text of uniform make-up.
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.02)
    // At or under the limit, counts stay exact.
    expect(await estimator.countText(text.slice(0, 16_384))).toBe(tokens(text.slice(0, 16_384)))
  })

  it('counts special-token text as plain text instead of throwing', async () => {
    const text = 'before <|endoftext|> after <|im_start|>'
    expect(await estimator.countText(text)).toBe(tokens(text))
    expect(await estimator.countText('<|endoftext|>')).toBeGreaterThan(1)
  })
})

describe('countChatInput', () => {
  it('reproduces the cookbook’s gpt-4o count: 124 tokens', async () => {
    expect(await estimator.countChatInput(chat(COOKBOOK_MESSAGES))).toBe(124)
  })

  it('counts 3 per message, the role, the content, 1 more for a name, and 3 to prime the reply', async () => {
    const count = await estimator.countChatInput(chat([{ role: 'user', name: 'ann', content: 'Hi there' }]))
    expect(count).toBe(3 + tokens('user') + tokens('ann') + 1 + tokens('Hi there') + 3)
  })

  it('counts tool definitions from their JSON, never below the API’s 101', async () => {
    const body = chat(COOKBOOK_TOOL_MESSAGES, { tools: COOKBOOK_TOOLS })
    const messagesOnly = await estimator.countChatInput(chat(COOKBOOK_TOOL_MESSAGES))
    expect(messagesOnly).toBe(33)
    const count = await estimator.countChatInput(body)
    expect(count).toBe(33 + 12 + tokens(JSON.stringify(COOKBOOK_TOOLS)))
    expect(count).toBeGreaterThanOrEqual(101)
  })

  it('counts tool calls as their JSON and tool results by content and call id', async () => {
    const toolCalls = [
      {
        id: 'call_1',
        type: 'function' as const,
        function: { name: 'get_current_weather', arguments: '{"location":"Paris, FR"}' },
      },
    ]
    const body = chat([
      { role: 'assistant', content: null, tool_calls: toolCalls },
      { role: 'tool', tool_call_id: 'call_1', content: '{"celsius":21}' },
    ])
    expect(await estimator.countChatInput(body)).toBe(
      3 +
        tokens('assistant') +
        tokens(JSON.stringify(toolCalls)) +
        3 +
        tokens('tool') +
        tokens('call_1') +
        tokens('{"celsius":21}') +
        3,
    )
  })

  it('charges images a fixed allowance by detail: low 85, high and auto 765', async () => {
    const withImage = (detail?: string) =>
      chat([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image?' },
            {
              type: 'image_url',
              image_url: {
                url: `data:image/png;base64,${'A'.repeat(10_000)}`,
                ...(detail ? { detail } : {}),
              },
            },
          ],
        },
      ])
    const text = 3 + tokens('user') + tokens('What is in this image?') + 3
    expect(await estimator.countChatInput(withImage('low'))).toBe(text + 85)
    expect(await estimator.countChatInput(withImage('high'))).toBe(text + 765)
    expect(await estimator.countChatInput(withImage('auto'))).toBe(text + 765)
    expect(await estimator.countChatInput(withImage())).toBe(text + 765)
  })

  it('counts a structured-output schema and a forced tool choice', async () => {
    const responseFormat = { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } }
    const toolChoice = { type: 'function', function: { name: 'get_current_weather' } }
    const base = await estimator.countChatInput(chat(COOKBOOK_MESSAGES))
    const body = chat(COOKBOOK_MESSAGES, { response_format: responseFormat, tool_choice: toolChoice })
    expect(await estimator.countChatInput(body)).toBe(
      base + tokens(JSON.stringify(responseFormat)) + tokens(JSON.stringify(toolChoice)),
    )
    expect(await estimator.countChatInput(chat(COOKBOOK_MESSAGES, { tool_choice: 'auto' }))).toBe(base)
  })
})

describe('upperBoundTokens', () => {
  it('bounds the cookbook examples from above', async () => {
    expect(upperBoundTokens(chat(COOKBOOK_MESSAGES))).toBeGreaterThanOrEqual(124)
    expect(upperBoundTokens(chat(COOKBOOK_TOOL_MESSAGES, { tools: COOKBOOK_TOOLS }))).toBeGreaterThanOrEqual(
      101,
    )
  })

  it('counts UTF-8 bytes, so multi-byte text costs more than its length', () => {
    const ascii = upperBoundTokens(chat([{ role: 'user', content: 'ab' }]))
    const emoji = upperBoundTokens(chat([{ role: 'user', content: '👍👍' }]))
    expect(emoji - ascii).toBe(8 - 2)
  })

  it('allows an image the most any GPT-4o-class image costs, whatever its size in bytes', () => {
    const image = (url: string) =>
      chat([{ role: 'user', content: [{ type: 'image_url', image_url: { url, detail: 'high' } }] }])
    expect(upperBoundTokens(image('https://x.test/a.png'))).toBe(
      upperBoundTokens(image(`data:image/png;base64,${'A'.repeat(100_000)}`)),
    )
    expect(upperBoundTokens(image('https://x.test/a.png'))).toBe(3 + 4 + 1536 + 3)
  })

  it('is never below the exact count, for any request', async () => {
    await fc.assert(
      fc.asyncProperty(chatBody, async (body) => {
        expect(upperBoundTokens(body)).toBeGreaterThanOrEqual(await estimator.countChatInput(body))
      }),
      { numRuns: 400 },
    )
  })

  it('is never below the exact count of a single string', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (s) => {
        const body = chat([{ role: 'user', content: s }])
        expect(upperBoundTokens(body)).toBeGreaterThanOrEqual(await estimator.countChatInput(body))
        expect(await estimator.countText(s)).toBe(tokens(s))
      }),
      { numRuns: 400 },
    )
  })
})

describe('loading the tokenizer', () => {
  const fakeLoader = () => {
    const loader = vi.fn(async (): Promise<Tokenizer> => ({ countTokens: (s) => s.length }))
    return loader
  }

  it('waits for the first count, then loads once', async () => {
    const load = fakeLoader()
    const lazy = createTokenEstimator({ loadTokenizer: load })
    expect(load).not.toHaveBeenCalled()
    upperBoundTokens(chat(COOKBOOK_MESSAGES))
    expect(load).not.toHaveBeenCalled()
    await Promise.all([lazy.countText('abc'), lazy.countChatInput(chat(COOKBOOK_MESSAGES))])
    await lazy.countText('abc')
    expect(load).toHaveBeenCalledTimes(1)
  })

  it('tries again after a failed load', async () => {
    const load = vi
      .fn<() => Promise<Tokenizer>>()
      .mockRejectedValueOnce(new Error('ENOMEM'))
      .mockResolvedValue({ countTokens: (s) => s.length })
    const lazy = createTokenEstimator({ loadTokenizer: load })
    await expect(lazy.countText('abc')).rejects.toThrow('ENOMEM')
    expect(await lazy.countText('abc')).toBe(3)
    expect(load).toHaveBeenCalledTimes(2)
  })

  it('imports gpt-tokenizer itself only when a count is first asked for', async () => {
    let imports = 0
    vi.resetModules()
    vi.doMock('gpt-tokenizer/encoding/o200k_base', async (importOriginal) => {
      imports++
      return importOriginal()
    })
    try {
      const fresh = await import('./estimate-tokens.js')
      const lazy = fresh.createTokenEstimator()
      fresh.upperBoundTokens(chat(COOKBOOK_MESSAGES))
      expect(imports).toBe(0)
      expect(await lazy.countText('tiktoken is great!')).toBe(6)
      expect(imports).toBe(1)
    } finally {
      vi.doUnmock('gpt-tokenizer/encoding/o200k_base')
    }
  })
})
