import { GatewayError } from '../../errors.js'
import { encodeEmbeddingsBase64, textInputs } from '../shared/embeddings-base64.js'
import type { EmbeddingsBody, EmbeddingsResponse } from '../types.js'

/*
 * OpenAI embeddings <-> Gemini's. The Gemini API has `:embedContent` (one text) and
 * `:batchEmbedContents` (ai.google.dev/api/embeddings), and reports no token counts (usage is 0);
 * Vertex AI has `:predict` with `instances` (cloud.google.com/vertex-ai/generative-ai/docs/
 * model-reference/text-embeddings-api), which reports each text's `token_count`. `user` is not
 * sent (no equivalent); other parameters Gemini has no field for are a 400.
 */

export interface EmbeddingsCall {
  method: 'embedContent' | 'batchEmbedContents' | 'predict'
  body: Record<string, unknown>
}

const KNOWN = new Set(['model', 'input', 'dimensions', 'encoding_format', 'user'])

export function toGeminiEmbeddings(body: EmbeddingsBody, model: string, vertex: boolean): EmbeddingsCall {
  const unknown = Object.keys(body).find((key) => !KNOWN.has(key) && body[key] !== undefined)
  if (unknown !== undefined) {
    throw new GatewayError(
      'unsupported_operation',
      `Gemini embeddings do not support the "${unknown}" parameter.`,
      {
        param: unknown,
      },
    )
  }
  const texts = textInputs(body.input)
  if (!texts) {
    throw new GatewayError('unsupported_operation', 'Gemini embeddings take text input, not token ids.', {
      param: 'input',
    })
  }
  const dims = body.dimensions
  if (vertex) {
    return {
      method: 'predict',
      body: {
        instances: texts.map((content) => ({ content })),
        ...(dims === undefined ? {} : { parameters: { outputDimensionality: dims } }),
      },
    }
  }
  const one = (text: string) => ({
    content: { parts: [{ text }] },
    ...(dims === undefined ? {} : { outputDimensionality: dims }),
  })
  if (typeof body.input === 'string') return { method: 'embedContent', body: one(texts[0]!) }
  return {
    method: 'batchEmbedContents',
    body: { requests: texts.map((text) => ({ model: `models/${model}`, ...one(text) })) },
  }
}

interface Values {
  values?: number[]
}

export function fromGeminiEmbeddings(raw: unknown, body: EmbeddingsBody, model: string): EmbeddingsResponse {
  const r = raw as {
    embedding?: Values
    embeddings?: Values[]
    predictions?: Array<{ embeddings?: Values & { statistics?: { token_count?: number } } }>
  }
  const vectors: Values[] = r.predictions
    ? r.predictions.map((p) => p.embeddings ?? {})
    : (r.embeddings ?? (r.embedding ? [r.embedding] : []))
  const tokens = (r.predictions ?? []).reduce(
    (sum, p) => sum + (p.embeddings?.statistics?.token_count ?? 0),
    0,
  )
  const response: EmbeddingsResponse = {
    object: 'list',
    data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: v.values ?? [] })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  }
  return body.encoding_format === 'base64' ? encodeEmbeddingsBase64(response) : response
}
