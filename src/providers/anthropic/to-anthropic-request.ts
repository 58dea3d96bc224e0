import { GatewayError } from '../../errors.js'
import type { ChatBody } from '../types.js'
import type { AnthropicRequest, AnthropicTool, AnthropicToolChoice } from './anthropic-types.js'
import { toAnthropicMessages, unsupported } from './to-anthropic-messages.js'

export interface ToAnthropicOptions {
  /** The provider's configured name, for error messages. */
  provider: string
  /** `max_tokens` when the caller set none: Anthropic requires it. */
  defaultMaxTokens: number
}

export interface AnthropicCall {
  request: AnthropicRequest
  /** Set when JSON output is asked through a forced tool: that tool's input is the answer text. */
  jsonTool?: string
}

/** Parameters translated below, or harmless to leave out (Anthropic always reports usage). */
const HANDLED = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'top_k',
  'stop',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'user',
])

/** Values that ask for nothing beyond the default, so saying them is not a feature request. */
const NEUTRAL: Record<string, unknown> = {
  n: 1,
  logprobs: false,
  presence_penalty: 0,
  frequency_penalty: 0,
  store: false,
}

/** The JSON-mode tool's name when the caller's schema has none (json_object). */
export const JSON_TOOL = 'json_output'

/**
 * A canonical (OpenAI) chat body as an Anthropic Messages request. Every parameter is either
 * translated or refused with a 400 naming it: nothing is dropped silently (drop_params removes a
 * parameter before it gets here).
 */
export function toAnthropicRequest(body: ChatBody, opts: ToAnthropicOptions): AnthropicCall {
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null || HANDLED.has(key) || NEUTRAL[key] === value) continue
    unsupported(opts.provider, `the "${key}" parameter`, key, true)
  }
  const { system, messages } = toAnthropicMessages(body.messages, opts.provider)
  const request: AnthropicRequest = {
    model: body.model,
    messages,
    max_tokens: maxTokens(body, opts.defaultMaxTokens),
  }
  if (system) request.system = system
  const temperature = body['temperature']
  if (typeof temperature === 'number') {
    // Anthropic's range is 0..1 where OpenAI's is 0..2; rescaling would change what callers meant.
    if (temperature > 1) unsupported(opts.provider, 'a temperature above 1', 'temperature')
    request.temperature = temperature
  }
  if (typeof body['top_p'] === 'number') request.top_p = body['top_p']
  if (typeof body['top_k'] === 'number') request.top_k = body['top_k']
  const stop = body['stop']
  if (typeof stop === 'string') request.stop_sequences = [stop]
  else if (Array.isArray(stop) && stop.length > 0) request.stop_sequences = stop as string[]
  if (typeof body['user'] === 'string') request.metadata = { user_id: body['user'] }
  if (body.stream === true) request.stream = true
  addTools(body, request, opts.provider)
  const jsonTool = addJsonMode(body, request, opts.provider)
  return jsonTool === undefined ? { request } : { request, jsonTool }
}

function maxTokens(body: ChatBody, fallback: number): number {
  const value = body['max_completion_tokens'] ?? body['max_tokens']
  return typeof value === 'number' ? value : fallback
}

interface OpenAITool {
  type: string
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean }
}

function addTools(body: ChatBody, request: AnthropicRequest, provider: string): void {
  const tools = body['tools'] as OpenAITool[] | undefined
  if (tools && tools.length > 0) {
    request.tools = tools.map((tool, i): AnthropicTool => {
      if (tool.type !== 'function') unsupported(provider, `"${tool.type}" tools`, `tools[${i}].type`)
      const { name, description, parameters, strict } = tool.function
      return {
        name,
        ...(description === undefined ? {} : { description }),
        // Anthropic requires a schema; OpenAI allows none for a function without parameters.
        input_schema: parameters ?? { type: 'object', properties: {} },
        ...(strict === true ? { strict } : {}),
      }
    })
  }
  const choice = toolChoice(body['tool_choice'])
  const parallel = body['parallel_tool_calls']
  if (parallel === false) {
    request.tool_choice = { ...(choice ?? { type: 'auto' }), disable_parallel_tool_use: true }
  } else if (choice) {
    request.tool_choice = choice
  }
}

function toolChoice(choice: unknown): AnthropicToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined
  if (choice === 'none') return { type: 'none' }
  if (choice === 'auto') return { type: 'auto' }
  if (choice === 'required') return { type: 'any' }
  const name = (choice as { function?: { name?: string } }).function?.name
  if (typeof name === 'string') return { type: 'tool', name }
  throw new GatewayError('bad_request', "Invalid request: 'tool_choice' is not a known choice.", {
    param: 'tool_choice',
  })
}

/**
 * JSON mode and structured output through a forced tool whose input schema is the caller's schema,
 * the method Anthropic documents for JSON output
 * (https://docs.anthropic.com/en/docs/build-with-claude/tool-use#json-mode). The tool's input is
 * then handed back as the answer's text.
 */
function addJsonMode(body: ChatBody, request: AnthropicRequest, provider: string): string | undefined {
  const format = body['response_format'] as
    | { type: string; json_schema?: { name: string; description?: string; schema?: Record<string, unknown> } }
    | undefined
  if (!format || format.type === 'text') return undefined
  if (request.tools || request.tool_choice) {
    unsupported(provider, 'response_format together with tools', 'response_format')
  }
  const spec = format.type === 'json_schema' ? format.json_schema : undefined
  const name = spec?.name ?? JSON_TOOL
  request.tools = [
    {
      name,
      description: spec?.description ?? 'Answer with a JSON object that matches this schema.',
      input_schema: spec?.schema ?? { type: 'object' },
    },
  ]
  request.tool_choice = { type: 'tool', name }
  return name
}
