import { describe, expect, it } from 'vitest'
import { PROVIDER_KINDS } from '../config/schema.js'
import type { ChatChunk, ChatCompletion, EmbeddingsResponse } from '../providers/types.js'
import {
  foldChunk,
  genAiProviderName,
  requestAttributes,
  responseAttributes,
  type StreamSummary,
  serverAttributes,
  streamAttributes,
} from './gen-ai-attributes.js'

describe('GenAI attribute mapping', () => {
  it("maps every provider kind to the conventions' provider names", () => {
    const names = Object.fromEntries(PROVIDER_KINDS.map((kind) => [kind, genAiProviderName({ kind })]))
    expect(names).toEqual({
      openai: 'openai',
      'openai-compatible': 'openai_compatible',
      simulated: 'gatehouse.simulated',
      bedrock: 'aws.bedrock',
      anthropic: 'anthropic',
      'azure-openai': 'azure.ai.openai',
      mistral: 'mistral_ai',
      gemini: 'gcp.gemini',
    })
    expect(
      genAiProviderName({ kind: 'gemini', vertex: { project: 'acme-prod', location: 'europe-west4' } }),
    ).toBe('gcp.vertex_ai')
  })

  it('reads server address and port, with the scheme default', () => {
    expect(serverAttributes('https://api.openai.com/v1')).toEqual({
      'server.address': 'api.openai.com',
      'server.port': 443,
    })
    expect(serverAttributes('http://gpu01:8000/v1')).toEqual({
      'server.address': 'gpu01',
      'server.port': 8000,
    })
    expect(serverAttributes(undefined)).toEqual({})
  })

  it('takes the request parameters the conventions name, and only when set', () => {
    expect(
      requestAttributes('chat', {
        model: 'm',
        messages: [],
        max_tokens: 100,
        temperature: 0,
        top_p: 0.9,
        user: 'someone',
      }),
    ).toEqual({
      'gen_ai.request.max_tokens': 100,
      'gen_ai.request.temperature': 0,
      'gen_ai.request.top_p': 0.9,
    })
    // The newer name wins; a string where a number belongs is left out.
    expect(
      requestAttributes('chat', {
        model: 'm',
        messages: [],
        max_completion_tokens: 50,
        max_tokens: 10,
        temperature: '1',
      }),
    ).toEqual({ 'gen_ai.request.max_tokens': 50 })
    expect(
      requestAttributes('embeddings', { model: 'e', input: 'x', encoding_format: 'base64', dimensions: 256 }),
    ).toEqual({
      'gen_ai.request.encoding_formats': ['base64'],
      'gen_ai.embeddings.dimension.count': 256,
    })
  })

  it('reads model, id, finish reasons and usage from an answer', () => {
    const completion: ChatCompletion = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o-2024-08-06',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'a' }, finish_reason: 'stop' },
        { index: 1, message: { role: 'assistant', content: 'b' }, finish_reason: 'length' },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
    }
    expect(responseAttributes(completion)).toEqual({
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.response.id': 'chatcmpl-1',
      'gen_ai.response.finish_reasons': ['stop', 'length'],
      'gen_ai.usage.input_tokens': 3,
      'gen_ai.usage.output_tokens': 5,
    })
    const embeddings: EmbeddingsResponse = {
      object: 'list',
      data: [],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 7, total_tokens: 7 },
    }
    expect(responseAttributes(embeddings)).toEqual({
      'gen_ai.response.model': 'text-embedding-3-small',
      'gen_ai.usage.input_tokens': 7,
    })
  })

  it('folds a stream into the same attributes, text only when captured', () => {
    const base = { id: 'c-1', object: 'chat.completion.chunk' as const, created: 1, model: 'm-2024' }
    const stream: ChatChunk[] = [
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: 'stop' }] },
      { ...base, choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } },
    ]
    const plain: StreamSummary = { finishReasons: [] }
    const captured: StreamSummary = { finishReasons: [] }
    for (const chunk of stream) {
      foldChunk(plain, chunk, false)
      foldChunk(captured, chunk, true)
    }
    expect(streamAttributes(plain)).toEqual({
      'gen_ai.response.id': 'c-1',
      'gen_ai.response.model': 'm-2024',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 4,
      'gen_ai.usage.output_tokens': 2,
    })
    expect(plain.text).toBeUndefined()
    expect(captured.text).toBe('Hello')
  })
})
