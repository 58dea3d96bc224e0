import { describe, expect, it } from 'vitest'
import { GatewayError, UpstreamError } from '../../errors.js'
import { bedrockEmbed, type InvokeModel } from './bedrock-embed.js'

describe('bedrockEmbed', () => {
  it('sends Cohere at most 96 texts per call, reads typed embeddings, sums header tokens', async () => {
    const payloads: Array<Record<string, any>> = []
    const invoke: InvokeModel = async (_model, payload) => {
      const p = payload as { texts: string[] }
      payloads.push(p)
      return { body: { embeddings: { float: p.texts.map((t) => [t.length]) } }, inputTokens: p.texts.length }
    }
    const input = Array.from({ length: 100 }, (_, i) => 'x'.repeat(i + 1))
    const res = await bedrockEmbed(
      { model: 'm', input, input_type: 'search_query' },
      'cohere.embed-english-v3',
      invoke,
    )
    expect(payloads.map((p) => p['texts'].length)).toEqual([96, 4])
    expect(payloads[0]!['input_type']).toBe('search_query')
    expect(res.data.map((d) => d.embedding)).toEqual(input.map((t) => [t.length]))
    expect(res.data.map((d) => d.index)).toEqual(input.map((_, i) => i))
    expect(res.usage.prompt_tokens).toBe(100)
  })

  it('keeps input order for Titan whatever order the calls finish in', async () => {
    const invoke: InvokeModel = async (_model, payload) => {
      const text = (payload as { inputText: string }).inputText
      await new Promise((r) => setTimeout(r, 20 - text.length))
      return { body: { embedding: [text.length], inputTextTokenCount: 1 } }
    }
    const input = ['aaaaaaaaaa', 'a', 'aaaaa', 'aa']
    const res = await bedrockEmbed({ model: 'm', input }, 'us.amazon.titan-embed-text-v2:0', invoke)
    expect(res.data.map((d) => d.embedding)).toEqual([[10], [1], [5], [2]])
    expect(res.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 })
  })

  it('refuses token arrays, dimensions on Cohere v3, and unknown parameters', async () => {
    const never: InvokeModel = async () => {
      throw new Error('must not be called')
    }
    await expect(
      bedrockEmbed({ model: 'm', input: [[1, 2]] }, 'amazon.titan-embed-text-v2:0', never),
    ).rejects.toMatchObject({
      kind: 'unsupported_operation',
      param: 'input',
    })
    await expect(
      bedrockEmbed({ model: 'm', input: 'x', dimensions: 256 }, 'cohere.embed-english-v3', never),
    ).rejects.toBeInstanceOf(GatewayError)
    await expect(
      bedrockEmbed({ model: 'm', input: 'x', foo: 1 }, 'amazon.titan-embed-text-v2:0', never),
    ).rejects.toMatchObject({
      param: 'foo',
    })
  })

  it('calls an answer without one vector per input invalid', async () => {
    const invoke: InvokeModel = async () => ({ body: { embeddings: [[1]] } })
    const err = await bedrockEmbed(
      { model: 'm', input: ['a', 'b'] },
      'cohere.embed-english-v3',
      invoke,
    ).catch((e) => e)
    expect(err).toBeInstanceOf(UpstreamError)
    expect((err as UpstreamError).failure).toBe('invalid_response')
  })
})
