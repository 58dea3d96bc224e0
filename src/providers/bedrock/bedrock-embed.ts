import { GatewayError, UpstreamError } from '../../errors.js'
import type { EmbeddingsBody, EmbeddingsResponse } from '../types.js'

/** One InvokeModel call: the model's JSON answer and the input tokens Bedrock counted (a header). */
export type InvokeModel = (
  modelId: string,
  payload: unknown,
) => Promise<{ body: unknown; inputTokens?: number }>

const TRANSLATED = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user', 'input_type'])
// Titan takes one text per call; keep a few in flight rather than thousands at once.
const TITAN_CONCURRENCY = 8
// Cohere Embed on Bedrock takes at most 96 texts per call.
const COHERE_BATCH = 96

/**
 * OpenAI embeddings over Bedrock's InvokeModel, whose body is the model's own format, so the
 * family is chosen by model id (inference-profile prefixes such as `us.` and ARNs included):
 * Amazon Titan Text Embeddings (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html)
 * and Cohere Embed (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html).
 */
export async function bedrockEmbed(
  body: EmbeddingsBody,
  modelId: string,
  invoke: InvokeModel,
): Promise<EmbeddingsResponse> {
  for (const [key, value] of Object.entries(body)) {
    if (!TRANSLATED.has(key) && value !== undefined && value !== null)
      unsupported(key, `the parameter "${key}"`)
  }
  const input = typeof body.input === 'string' ? [body.input] : body.input
  if (!input.every((item): item is string => typeof item === 'string')) {
    unsupported('input', 'token arrays as embeddings input (send text)')
  }
  let result: { vectors: number[][]; tokens: number }
  if (modelId.includes('amazon.titan-embed-text')) result = await titan(input, body, modelId, invoke)
  else if (modelId.includes('cohere.embed')) result = await cohere(input, body, modelId, invoke)
  else unsupported('model', `embeddings with "${modelId}" (Titan Text Embeddings and Cohere Embed only)`)
  const base64 = body.encoding_format === 'base64'
  return {
    object: 'list',
    data: result.vectors.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
    })),
    model: modelId,
    usage: { prompt_tokens: result.tokens, total_tokens: result.tokens },
  }
}

async function titan(texts: string[], body: EmbeddingsBody, modelId: string, invoke: InvokeModel) {
  const payload = (inputText: string) => ({
    inputText,
    ...(body.dimensions === undefined ? {} : { dimensions: body.dimensions }),
    // v2 can return unnormalized vectors; OpenAI's are unit length. v1 has no such switch.
    ...(modelId.includes('titan-embed-text-v1') ? {} : { normalize: true }),
  })
  const vectors: number[][] = []
  let tokens = 0
  for (let i = 0; i < texts.length; i += TITAN_CONCURRENCY) {
    const answers = await Promise.all(
      texts.slice(i, i + TITAN_CONCURRENCY).map((t) => invoke(modelId, payload(t))),
    )
    for (const { body: answer } of answers) {
      const { embedding, inputTextTokenCount } = answer as {
        embedding?: unknown
        inputTextTokenCount?: unknown
      }
      vectors.push(vector(embedding))
      tokens += typeof inputTextTokenCount === 'number' ? inputTextTokenCount : 0
    }
  }
  return { vectors, tokens }
}

async function cohere(texts: string[], body: EmbeddingsBody, modelId: string, invoke: InvokeModel) {
  const extra: Record<string, unknown> = {}
  if (body.dimensions !== undefined) {
    // Embed v3 has one size (1024 or 384); v4 takes output_dimension.
    if (!modelId.includes('embed-v4')) unsupported('dimensions', `dimensions with "${modelId}"`)
    extra['output_dimension'] = body.dimensions
  }
  const inputType = typeof body['input_type'] === 'string' ? body['input_type'] : 'search_document'
  const vectors: number[][] = []
  let tokens = 0
  for (let i = 0; i < texts.length; i += COHERE_BATCH) {
    const batch = texts.slice(i, i + COHERE_BATCH)
    const answer = await invoke(modelId, { texts: batch, input_type: inputType, ...extra })
    // `embeddings` is a list of vectors, or by type ({"float": [...]}) when types were requested.
    const raw = (answer.body as { embeddings?: unknown }).embeddings
    const list = Array.isArray(raw) ? raw : (raw as { float?: unknown } | undefined)?.float
    if (!Array.isArray(list) || list.length !== batch.length) {
      throw new UpstreamError('invalid_response', 'provider answered without one embedding per input')
    }
    vectors.push(...list.map(vector))
    tokens += answer.inputTokens ?? 0
  }
  return { vectors, tokens }
}

function vector(value: unknown): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number')) {
    throw new UpstreamError('invalid_response', 'provider answered without an embedding vector')
  }
  return value
}

function unsupported(param: string, what: string): never {
  throw new GatewayError('unsupported_operation', `Bedrock does not support ${what}.`, { param })
}
