/**
 * The Bedrock Runtime Converse shapes the adapter writes and reads, after
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html and
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html.
 * Only the members the gateway uses; Bedrock's own JSON may carry more.
 */

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp'

export type ToolResultContent = { text: string } | { json: unknown }

export type ContentBlock =
  | { text: string }
  | { image: { format: ImageFormat; source: { bytes: string } } }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | {
      toolResult: {
        toolUseId: string
        content: ToolResultContent[]
        status?: 'success' | 'error'
      }
    }
  | { reasoningContent: { reasoningText?: { text: string; signature?: string } } }

export interface ConverseMessage {
  role: 'user' | 'assistant'
  content: ContentBlock[]
}

export interface ToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: unknown }; strict?: boolean }
}

export type ToolChoice =
  | { auto: Record<string, never> }
  | { any: Record<string, never> }
  | { tool: { name: string } }

export interface ConverseRequest {
  messages: ConverseMessage[]
  system?: Array<{ text: string }>
  inferenceConfig?: {
    maxTokens?: number
    temperature?: number
    topP?: number
    stopSequences?: string[]
  }
  toolConfig?: { tools: ToolSpec[]; toolChoice?: ToolChoice }
  /** Structured output (API_runtime_OutputConfig.html); the schema travels as a JSON string. */
  outputConfig?: {
    textFormat: {
      type: 'json_schema'
      structure: { jsonSchema: { schema: string; name?: string; description?: string } }
    }
  }
}

export interface TokenUsage {
  inputTokens: number
  outputTokens: number
  totalTokens: number
  cacheReadInputTokens?: number
  cacheWriteInputTokens?: number
}

export interface ConverseResponse {
  output: { message?: { role: string; content: ContentBlock[] } }
  stopReason: string
  usage?: TokenUsage
  metrics?: { latencyMs: number }
}
