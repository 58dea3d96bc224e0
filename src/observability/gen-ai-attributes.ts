import type { Attributes } from '@opentelemetry/api'
import type { ResolvedProvider } from '../config/load.js'
import type {
  ChatBody,
  ChatChunk,
  ChatCompletion,
  EmbeddingsBody,
  EmbeddingsResponse,
} from '../providers/types.js'

/**
 * Span attributes of the OpenTelemetry GenAI semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/). They are still
 * "development" status, so their names are written here rather than imported from the
 * semantic-conventions package's unstable `incubating` entry point, as that package advises.
 */
export const GEN_AI = {
  operation: 'gen_ai.operation.name',
  /** The older name of `gen_ai.provider.name`; still what many backends group by. */
  system: 'gen_ai.system',
  provider: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  maxTokens: 'gen_ai.request.max_tokens',
  temperature: 'gen_ai.request.temperature',
  topP: 'gen_ai.request.top_p',
  encodingFormats: 'gen_ai.request.encoding_formats',
  dimensions: 'gen_ai.embeddings.dimension.count',
  responseId: 'gen_ai.response.id',
  responseModel: 'gen_ai.response.model',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
} as const

/**
 * `gen_ai.provider.name` for a provider kind: the convention's well-known values where one
 * exists; an OpenAI-compatible server (vLLM, Ollama...) is not OpenAI, so it gets its own value.
 */
export function genAiProviderName(provider: Pick<ResolvedProvider, 'kind' | 'vertex'>): string {
  switch (provider.kind) {
    case 'openai':
      return 'openai'
    case 'anthropic':
      return 'anthropic'
    case 'bedrock':
      return 'aws.bedrock'
    case 'azure-openai':
      return 'azure.ai.openai'
    case 'gemini':
      return provider.vertex ? 'gcp.vertex_ai' : 'gcp.gemini'
    case 'mistral':
      return 'mistral_ai'
    case 'openai-compatible':
      return 'openai_compatible'
    case 'simulated':
      return 'gatehouse.simulated'
  }
}

/** `server.address` and `server.port` of a provider's base URL (none for the simulated kind). */
export function serverAttributes(baseUrl: string | undefined): Attributes {
  if (baseUrl === undefined) return {}
  const url = new URL(baseUrl)
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port)
  return { 'server.address': url.hostname, 'server.port': port }
}

/** The request parameters the conventions name, from the body the caller sent. */
export function requestAttributes(
  operation: 'chat' | 'embeddings',
  body: ChatBody | EmbeddingsBody,
): Attributes {
  const out: Attributes = {}
  if (operation === 'embeddings') {
    const { encoding_format: format, dimensions } = body as EmbeddingsBody
    if (typeof format === 'string') out[GEN_AI.encodingFormats] = [format]
    if (typeof dimensions === 'number') out[GEN_AI.dimensions] = dimensions
    return out
  }
  const maxTokens = body['max_completion_tokens'] ?? body['max_tokens']
  if (typeof maxTokens === 'number') out[GEN_AI.maxTokens] = maxTokens
  if (typeof body['temperature'] === 'number') out[GEN_AI.temperature] = body['temperature']
  if (typeof body['top_p'] === 'number') out[GEN_AI.topP] = body['top_p']
  return out
}

/** Model, id, finish reasons and usage of a complete answer. */
export function responseAttributes(response: ChatCompletion | EmbeddingsResponse): Attributes {
  const out: Attributes = {}
  if (typeof response.model === 'string') out[GEN_AI.responseModel] = response.model
  if (response.object === 'list') {
    const usage = (response as EmbeddingsResponse).usage
    if (usage) out[GEN_AI.inputTokens] = usage.prompt_tokens
    return out
  }
  const completion = response as ChatCompletion
  if (typeof completion.id === 'string') out[GEN_AI.responseId] = completion.id
  const reasons = completion.choices
    ?.map((c) => c.finish_reason)
    .filter((r): r is string => typeof r === 'string')
  if (reasons && reasons.length > 0) out[GEN_AI.finishReasons] = reasons
  if (completion.usage) {
    out[GEN_AI.inputTokens] = completion.usage.prompt_tokens
    out[GEN_AI.outputTokens] = completion.usage.completion_tokens
  }
  return out
}

/** What a stream told us so far: folded chunk by chunk, turned into attributes at its end. */
export interface StreamSummary {
  id?: string
  model?: string
  finishReasons: string[]
  inputTokens?: number
  outputTokens?: number
  /** Only when content is captured. */
  text?: string
}

export function foldChunk(summary: StreamSummary, chunk: ChatChunk, captureContent: boolean): void {
  if (summary.id === undefined && typeof chunk.id === 'string') summary.id = chunk.id
  if (summary.model === undefined && typeof chunk.model === 'string' && chunk.model !== '')
    summary.model = chunk.model
  for (const choice of chunk.choices ?? []) {
    if (typeof choice.finish_reason === 'string') summary.finishReasons.push(choice.finish_reason)
    if (captureContent && typeof choice.delta?.content === 'string')
      summary.text = (summary.text ?? '') + choice.delta.content
  }
  if (chunk.usage) {
    summary.inputTokens = chunk.usage.prompt_tokens
    summary.outputTokens = chunk.usage.completion_tokens
  }
}

export function streamAttributes(summary: StreamSummary): Attributes {
  const out: Attributes = {}
  if (summary.id !== undefined) out[GEN_AI.responseId] = summary.id
  if (summary.model !== undefined) out[GEN_AI.responseModel] = summary.model
  if (summary.finishReasons.length > 0) out[GEN_AI.finishReasons] = summary.finishReasons
  if (summary.inputTokens !== undefined) out[GEN_AI.inputTokens] = summary.inputTokens
  if (summary.outputTokens !== undefined) out[GEN_AI.outputTokens] = summary.outputTokens
  return out
}

/** Opt-in content (`tracing.capture_content`): the messages sent, as JSON in OpenAI's shape. */
export function inputContent(body: ChatBody | EmbeddingsBody): string {
  return JSON.stringify('messages' in body ? body.messages : body.input)
}

export function outputContent(response: ChatCompletion | EmbeddingsResponse | string): string {
  if (typeof response === 'string') return JSON.stringify([{ role: 'assistant', content: response }])
  if (response.object === 'list') return '[]'
  return JSON.stringify((response as ChatCompletion).choices.map((c) => c.message))
}
