import type { CancelSignal } from '../cancel-signal.js'
import type { ResolvedModel, ResolvedProvider } from '../config/load.js'
import type { SimulateConfig } from '../config/schema.js'

/**
 * The canonical shapes are OpenAI's chat completion shapes: every provider is translated to and
 * from them. Fields the gateway does not interpret stay in the index signature and pass through
 * untouched to OpenAI-compatible targets.
 */
export interface ChatMessage {
  role: string
  content?: string | ContentPart[] | null
  name?: string
  tool_calls?: ToolCall[]
  tool_call_id?: string
  [key: string]: unknown
}

export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | { type: string; [key: string]: unknown }

export interface ToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

export interface ChatBody {
  model: string
  messages: ChatMessage[]
  stream?: boolean
  stream_options?: { include_usage?: boolean; [key: string]: unknown } | null
  [key: string]: unknown
}

export interface Usage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
  [key: string]: unknown
}

export interface ChatChoice {
  index: number
  message: ChatMessage
  finish_reason: string | null
  logprobs?: unknown
  [key: string]: unknown
}

export interface ChatCompletion {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: ChatChoice[]
  usage?: Usage
  [key: string]: unknown
}

export interface ChunkChoice {
  index: number
  delta: Omit<Partial<ChatMessage>, 'tool_calls'> & { tool_calls?: ToolCallDelta[] }
  finish_reason: string | null
  [key: string]: unknown
}

export interface ToolCallDelta {
  index: number
  id?: string
  type?: 'function'
  function?: { name?: string; arguments?: string }
}

export interface ChatChunk {
  id: string
  object: 'chat.completion.chunk'
  created: number
  model: string
  choices: ChunkChoice[]
  usage?: Usage | null
  [key: string]: unknown
}

export interface EmbeddingsBody {
  model: string
  input: string | string[] | number[] | number[][]
  encoding_format?: 'float' | 'base64'
  dimensions?: number
  [key: string]: unknown
}

export interface EmbeddingsResponse {
  object: 'list'
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>
  model: string
  usage: { prompt_tokens: number; total_tokens: number }
  [key: string]: unknown
}

export interface CallOptions {
  /** Aborts the upstream call: client disconnect, shutdown or deadline. */
  signal: CancelSignal
  /** The model entry being called; `model.model` is the provider's id. */
  model: ResolvedModel
  requestId: string
  /** Per-request knobs for the `simulated` kind (from `x-gatehouse-simulate`); others ignore it. */
  simulate?: SimulateConfig | undefined
  /** Headers for the upstream request on top of the adapter's own: W3C `traceparent`/`tracestate`. */
  headers?: Record<string, string> | undefined
}

/**
 * One interface for every provider kind. Adapters translate canonical <-> native shapes and
 * nothing else: they never see Fastify, and retries and fallback live in the execute stage.
 * The body is a fresh copy made for this call (see prepareBody): an adapter may set fields on it.
 * `stream` resolves once the provider has accepted the call (2xx headers); errors before that are
 * thrown as `UpstreamError`, errors mid-stream are thrown from the iterator.
 */
export interface Provider {
  readonly config: ResolvedProvider
  chat(body: ChatBody, opts: CallOptions): Promise<ChatCompletion>
  stream(body: ChatBody, opts: CallOptions): Promise<AsyncIterable<ChatChunk>>
  embed(body: EmbeddingsBody, opts: CallOptions): Promise<EmbeddingsResponse>
  /** Close pooled connections. */
  close(): Promise<void>
}
