import { GatewayError } from '../../errors.js'
import type { ChatBody, ChatMessage, ContentPart, ToolCall } from '../types.js'
import type {
  ContentBlock,
  ConverseMessage,
  ConverseRequest,
  ImageFormat,
  ToolChoice,
  ToolSpec,
} from './converse-types.js'

/**
 * OpenAI chat body -> Bedrock Converse request
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html).
 * A parameter Converse cannot honour is a 400 naming it, never a silent drop: the model's
 * `drop_params` removes it before this runs when an operator prefers that.
 */

/** Parameters translated below. `user` only labels the caller for OpenAI's abuse monitoring. */
const TRANSLATED = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'n',
  'user',
])

export function toConverseRequest(body: ChatBody): ConverseRequest {
  for (const [key, value] of Object.entries(body)) {
    if (!TRANSLATED.has(key) && value !== undefined && value !== null)
      unsupported(key, `the parameter "${key}"`)
  }
  if (typeof body['n'] === 'number' && body['n'] !== 1) unsupported('n', 'more than one choice (n > 1)')
  if (body['parallel_tool_calls'] === false) unsupported('parallel_tool_calls', 'parallel_tool_calls: false')

  const { system, messages } = toMessages(body.messages)
  const request: ConverseRequest = { messages }
  if (system.length > 0) request.system = system
  const inference = inferenceConfig(body)
  if (Object.keys(inference).length > 0) request.inferenceConfig = inference
  const toolConfig = toToolConfig(body, messages)
  if (toolConfig) request.toolConfig = toolConfig
  const outputConfig = toOutputConfig(body['response_format'])
  if (outputConfig) request.outputConfig = outputConfig
  return request
}

/**
 * `json_schema` maps to Converse structured output (`outputConfig.textFormat`,
 * https://docs.aws.amazon.com/bedrock/latest/userguide/structured-output.html): the answer is
 * text that conforms to the schema, as with OpenAI. `json_object` has no schema to give, and
 * Converse has no schema-less JSON mode.
 */
function toOutputConfig(format: unknown): ConverseRequest['outputConfig'] {
  const f = format as { type?: string; json_schema?: Record<string, unknown> } | null | undefined
  if (!f || f.type === 'text') return undefined
  if (f.type !== 'json_schema') {
    return unsupported(
      'response_format',
      `response_format "${f.type}" (JSON without a schema; use json_schema)`,
    )
  }
  const { name, description, schema } = f.json_schema as {
    name: string
    description?: unknown
    schema?: unknown
  }
  return {
    textFormat: {
      type: 'json_schema',
      structure: {
        jsonSchema: {
          schema: JSON.stringify(schema ?? { type: 'object' }),
          name,
          ...(typeof description === 'string' ? { description } : {}),
        },
      },
    },
  }
}

function inferenceConfig(body: ChatBody): NonNullable<ConverseRequest['inferenceConfig']> {
  const out: NonNullable<ConverseRequest['inferenceConfig']> = {}
  const maxTokens = body['max_completion_tokens'] ?? body['max_tokens']
  if (typeof maxTokens === 'number') out.maxTokens = maxTokens
  if (typeof body['temperature'] === 'number') out.temperature = body['temperature']
  if (typeof body['top_p'] === 'number') out.topP = body['top_p']
  const stop = body['stop']
  if (typeof stop === 'string') out.stopSequences = [stop]
  else if (Array.isArray(stop) && stop.length > 0) out.stopSequences = stop as string[]
  return out
}

/**
 * System and developer messages become `system` blocks; the rest alternate user/assistant, as
 * Converse requires: consecutive messages of one role (several tool results after one assistant
 * turn, above all) merge into one message.
 */
function toMessages(input: ChatMessage[]): { system: Array<{ text: string }>; messages: ConverseMessage[] } {
  const system: Array<{ text: string }> = []
  const messages: ConverseMessage[] = []
  const push = (role: ConverseMessage['role'], content: ContentBlock[]) => {
    const last = messages.at(-1)
    if (last?.role === role) last.content.push(...content)
    else messages.push({ role, content })
  }
  input.forEach((message, i) => {
    const path = `messages[${i}]`
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push({ text: textOnly(message.content, `${path}.content`) })
        break
      case 'user':
        push('user', userBlocks(message.content, `${path}.content`))
        break
      case 'assistant':
        push('assistant', assistantBlocks(message, path))
        break
      case 'tool':
        push('user', [
          {
            toolResult: {
              toolUseId: String(message.tool_call_id),
              content: [{ text: textOnly(message.content, `${path}.content`) }],
            },
          },
        ])
        break
      default:
        unsupported(`${path}.role`, `messages with role "${message.role}"`)
    }
  })
  return { system, messages }
}

function userBlocks(content: ChatMessage['content'], path: string): ContentBlock[] {
  if (typeof content === 'string') return [{ text: content }]
  return (content ?? []).map((part, j) => partBlock(part, `${path}[${j}]`))
}

function partBlock(part: ContentPart, path: string): ContentBlock {
  if (part.type === 'text') return { text: (part as { text: string }).text }
  if (part.type === 'image_url')
    return imageBlock((part as { image_url: { url: string } }).image_url.url, path)
  return unsupported(`${path}.type`, `content parts of type "${part.type}"`)
}

const IMAGE_FORMATS: Record<string, ImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
}

/** Converse takes image bytes only; the gateway does not fetch URLs on a caller's behalf. */
function imageBlock(url: string, path: string): ContentBlock {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url)
  if (!match) {
    return unsupported(
      `${path}.image_url.url`,
      'image URLs (Converse needs the image bytes: send a data:image/...;base64 URL)',
    )
  }
  const format = IMAGE_FORMATS[match[1]!.toLowerCase()]
  if (!format) unsupported(`${path}.image_url.url`, `images of type ${match[1]} (png, jpeg, gif, webp only)`)
  return { image: { format, source: { bytes: match[2]! } } }
}

function assistantBlocks(message: ChatMessage, path: string): ContentBlock[] {
  const blocks: ContentBlock[] = []
  // Converse rejects blank text blocks; an assistant turn that only calls tools has none.
  const text = message.content == null ? '' : textOnly(message.content, `${path}.content`)
  if (text !== '') blocks.push({ text })
  message.tool_calls?.forEach((call, k) => {
    blocks.push({
      toolUse: {
        toolUseId: call.id,
        name: call.function.name,
        input: toolInput(call, `${path}.tool_calls[${k}]`),
      },
    })
  })
  return blocks
}

function toolInput(call: ToolCall, path: string): unknown {
  try {
    return JSON.parse(call.function.arguments === '' ? '{}' : call.function.arguments)
  } catch {
    throw new GatewayError(
      'bad_request',
      'Bedrock needs tool call arguments as JSON; these are not valid JSON.',
      { param: `${path}.function.arguments` },
    )
  }
}

/** The text of a message that may only hold text (system, tool results, assistant turns). */
function textOnly(content: ChatMessage['content'], path: string): string {
  if (typeof content === 'string') return content
  return (content ?? [])
    .map((part, j) =>
      part.type === 'text'
        ? (part as { text: string }).text
        : unsupported(`${path}[${j}].type`, `"${part.type}" parts in this message role`),
    )
    .join('')
}

function toToolConfig(body: ChatBody, messages: ConverseMessage[]): ConverseRequest['toolConfig'] {
  const tools = body['tools'] as Array<{ type: string; function: Record<string, unknown> }> | undefined
  if (!Array.isArray(tools) || tools.length === 0) return undefined
  const choice = body['tool_choice']
  if (choice === 'none') {
    // Converse has no "none": leaving the tools out does it, unless the history uses them
    // (Converse refuses toolUse/toolResult blocks without a toolConfig).
    if (messages.some((m) => m.content.some((b) => 'toolUse' in b || 'toolResult' in b))) {
      unsupported('tool_choice', 'tool_choice "none" in a conversation that already used tools')
    }
    return undefined
  }
  const specs: ToolSpec[] = tools.map((tool, i) => {
    if (tool.type !== 'function') unsupported(`tools[${i}].type`, `tools of type "${tool.type}"`)
    const fn = tool.function as { name: string; description?: string; parameters?: unknown; strict?: unknown }
    return {
      toolSpec: {
        name: fn.name,
        ...(fn.description === undefined ? {} : { description: fn.description }),
        inputSchema: { json: fn.parameters ?? { type: 'object', properties: {} } },
        // Converse enforces the schema on the tool input too ("strict tool use").
        ...(typeof fn.strict === 'boolean' ? { strict: fn.strict } : {}),
      },
    }
  })
  const toolChoice = toToolChoice(choice)
  return toolChoice ? { tools: specs, toolChoice } : { tools: specs }
}

function toToolChoice(choice: unknown): ToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined
  if (choice === 'auto') return { auto: {} }
  if (choice === 'required') return { any: {} }
  const name = (choice as { function?: { name?: unknown } }).function?.name
  if (typeof name === 'string') return { tool: { name } }
  return unsupported('tool_choice', 'this tool_choice value')
}

function unsupported(param: string, what: string): never {
  // Only top-level parameters can be dropped by config; a message part has to change at the caller.
  const hint = /[.[]/.test(param) ? '' : "; remove it, or list it in the model's drop_params"
  throw new GatewayError('unsupported_operation', `Bedrock (Converse API) does not support ${what}${hint}.`, {
    param,
  })
}
