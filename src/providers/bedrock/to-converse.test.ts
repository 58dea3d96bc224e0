import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../errors.js'
import type { ChatBody } from '../types.js'
import { toConverseRequest } from './to-converse.js'

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../test/fixtures/bedrock/${name}`, import.meta.url), 'utf8'))

const hi = (extra: Record<string, unknown> = {}): ChatBody => ({
  model: 'm',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
})

function rejection(body: ChatBody): GatewayError {
  try {
    toConverseRequest(body)
  } catch (err) {
    if (err instanceof GatewayError) return err
    throw err
  }
  throw new Error('expected a GatewayError')
}

describe('toConverseRequest', () => {
  it('translates system, multi-turn, images, tools, tool calls and results (fixture)', () => {
    expect(toConverseRequest(fixture('chat-request.json'))).toEqual(fixture('converse-request.json'))
  })

  it('merges consecutive messages of one role so the turns alternate', () => {
    const req = toConverseRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'one' },
        { role: 'user', content: 'two' },
        { role: 'assistant', content: 'three' },
        { role: 'assistant', content: [{ type: 'text', text: 'four' }] },
      ],
    })
    expect(req.messages).toEqual([
      { role: 'user', content: [{ text: 'one' }, { text: 'two' }] },
      { role: 'assistant', content: [{ text: 'three' }, { text: 'four' }] },
    ])
  })

  it('maps max_completion_tokens, a single stop string, and tool_choice required / named', () => {
    const tools = [{ type: 'function', function: { name: 'f' } }]
    const req = toConverseRequest(hi({ max_completion_tokens: 9, stop: 'X', tools, tool_choice: 'required' }))
    expect(req.inferenceConfig).toEqual({ maxTokens: 9, stopSequences: ['X'] })
    expect(req.toolConfig).toEqual({
      tools: [{ toolSpec: { name: 'f', inputSchema: { json: { type: 'object', properties: {} } } } }],
      toolChoice: { any: {} },
    })
    const named = toConverseRequest(hi({ tools, tool_choice: { type: 'function', function: { name: 'f' } } }))
    expect(named.toolConfig?.toolChoice).toEqual({ tool: { name: 'f' } })
  })

  it('leaves the tools out for tool_choice none, and refuses it once the history used tools', () => {
    const tools = [{ type: 'function', function: { name: 'f' } }]
    expect(toConverseRequest(hi({ tools, tool_choice: 'none' })).toolConfig).toBeUndefined()
    const history = {
      model: 'm',
      messages: [
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 't1', content: 'ok' },
      ],
      tools,
      tool_choice: 'none',
    } as ChatBody
    expect(rejection(history)).toMatchObject({ kind: 'unsupported_operation', param: 'tool_choice' })
  })

  it('refuses image URLs that are not data URLs, naming Bedrock and the part', () => {
    const err = rejection({
      model: 'm',
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] },
      ],
    })
    expect(err.kind).toBe('unsupported_operation')
    expect(err.status).toBe(400)
    expect(err.param).toBe('messages[0].content[0].image_url.url')
    expect(err.message).toMatch(/^Bedrock \(Converse API\) does not support image URLs/)
  })

  it('refuses an image type Converse cannot read', () => {
    const url = 'data:image/tiff;base64,AAAA'
    const err = rejection({
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
    })
    expect(err.message).toMatch(/image\/tiff/)
  })

  it.each([
    ['response_format', { response_format: { type: 'json_object' } }],
    ['n', { n: 2 }],
    ['seed', { seed: 1 }],
    ['logprobs', { logprobs: true }],
    ['frequency_penalty', { frequency_penalty: 0.5 }],
    ['parallel_tool_calls', { parallel_tool_calls: false }],
  ])('refuses %s with a 400 naming the parameter and drop_params', (param, extra) => {
    const err = rejection(hi(extra))
    expect(err).toMatchObject({ kind: 'unsupported_operation', param })
    expect(err.message).toContain('Bedrock')
    expect(err.message).toContain('drop_params')
  })

  it('maps response_format json_schema to Converse structured output, the schema as a JSON string', () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    }
    const req = toConverseRequest(
      hi({
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'place', description: 'A place', schema, strict: true },
        },
      }),
    )
    expect(req.outputConfig).toEqual({
      textFormat: {
        type: 'json_schema',
        structure: { jsonSchema: { schema: JSON.stringify(schema), name: 'place', description: 'A place' } },
      },
    })
    expect(rejection(hi({ response_format: { type: 'json_object' } })).message).toContain('use json_schema')
  })

  it("passes a tool's strict flag on", () => {
    const tools = [
      { type: 'function', function: { name: 'f', parameters: { type: 'object' }, strict: true } },
    ]
    expect(toConverseRequest(hi({ tools })).toolConfig?.tools[0]?.toolSpec.strict).toBe(true)
  })

  it('accepts what needs no translation: response_format text, n 1, user, null parameters', () => {
    const req = toConverseRequest(hi({ response_format: { type: 'text' }, n: 1, user: 'u', seed: null }))
    expect(req).toEqual({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] })
  })

  it('refuses tool call arguments that are not JSON, naming the field', () => {
    const err = rejection({
      model: 'm',
      messages: [
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{oops' } }],
        },
      ],
    })
    expect(err).toMatchObject({ kind: 'bad_request', param: 'messages[1].tool_calls[0].function.arguments' })
  })
})
