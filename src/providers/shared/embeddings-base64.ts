import type { EmbeddingsResponse } from '../types.js'

/**
 * Embeddings as OpenAI's `encoding_format: "base64"` gives them: the vector's float32 values,
 * little-endian, base64-encoded. The official `openai` SDK asks for base64 by default and decodes
 * it this way, so providers that only return floats are encoded here.
 */
export function encodeEmbeddingsBase64(response: EmbeddingsResponse): EmbeddingsResponse {
  for (const item of response.data) {
    if (typeof item.embedding === 'string') continue
    const floats = Float32Array.from(item.embedding)
    const bytes = Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength)
    // Float32Array is platform-endian; every platform Node 20 ships on is little-endian.
    item.embedding = bytes.toString('base64')
  }
  return response
}

/** Strings only: token-id inputs (`number[]`) need the provider's own tokenizer. */
export function textInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input]
  if (Array.isArray(input) && input.every((s) => typeof s === 'string')) return input as string[]
  return undefined
}
