import { createHash } from 'node:crypto'
import type { SimulateConfig } from '../../config/schema.js'
import type { ChatBody, ChatMessage, ToolCall, Usage } from '../types.js'

export interface SimulatedChoice {
  content: string | null
  toolCalls?: ToolCall[]
  finishReason: 'stop' | 'length' | 'tool_calls'
}

export interface SimulatedReply {
  choices: SimulatedChoice[]
  usage: Usage
}

/**
 * The deterministic answer of the `simulated` provider: derived from the last user message, it
 * honours `n`, `stop`, `max_tokens`, JSON mode and tools, so SDK features can be demonstrated
 * without a real model. Tokens are estimated at four characters each.
 */
export function simulateReply(body: ChatBody, model: string, knobs: SimulateConfig): SimulatedReply {
  const last = body.messages.at(-1)
  const prompt = textOf(last)
  const choices: SimulatedChoice[] = []
  const n = typeof body['n'] === 'number' && body['n'] > 1 ? Math.min(body['n'], 16) : 1
  for (let i = 0; i < n; i++) choices.push(choiceFor(body, model, knobs, last, prompt, i))

  const promptTokens = body.messages.reduce((sum, m) => sum + 3 + estimateTokens(textOf(m)), 0)
  const completionTokens = choices.reduce(
    (sum, c) => sum + estimateTokens(c.content ?? '') + estimateTokens(JSON.stringify(c.toolCalls ?? '')),
    0,
  )
  return {
    choices,
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  }
}

function choiceFor(
  body: ChatBody,
  model: string,
  knobs: SimulateConfig,
  last: ChatMessage | undefined,
  prompt: string,
  index: number,
): SimulatedChoice {
  const tool = chosenTool(body, last)
  if (tool) {
    const id = `call_${createHash('sha256').update(`${prompt}:${index}`).digest('hex').slice(0, 24)}`
    const args = argumentsFor(tool.parameters, prompt)
    return {
      content: null,
      toolCalls: [{ id, type: 'function', function: { name: tool.name, arguments: args } }],
      finishReason: 'tool_calls',
    }
  }

  const images = Array.isArray(last?.content) ? last.content.filter((p) => p.type === 'image_url').length : 0
  const variant = index === 0 ? '' : ` (variant ${index + 1})`
  const answer =
    knobs.reply ??
    (last?.role === 'tool'
      ? `The tool returned: ${prompt}`
      : `Simulated reply from ${model}${variant}: you said "${prompt.slice(0, 200)}"` +
        (images > 0 ? ` with ${images} image${images > 1 ? 's' : ''}` : '') +
        '.')
  let content = jsonWanted(body) ? JSON.stringify(jsonAnswer(body, answer)) : answer
  let finishReason: SimulatedChoice['finishReason'] = 'stop'

  for (const stop of stops(body)) {
    const at = content.indexOf(stop)
    if (at >= 0) content = content.slice(0, at)
  }
  const maxTokens = body['max_completion_tokens'] ?? body['max_tokens']
  if (typeof maxTokens === 'number' && estimateTokens(content) > maxTokens) {
    content = content.slice(0, maxTokens * 4)
    finishReason = 'length'
  }
  return { content, finishReason }
}

interface ToolSpec {
  name: string
  parameters: unknown
}

function chosenTool(body: ChatBody, last: ChatMessage | undefined): ToolSpec | undefined {
  const tools = Array.isArray(body['tools']) ? (body['tools'] as Array<{ function?: ToolSpec }>) : []
  const choice = body['tool_choice']
  if (tools.length === 0 || choice === 'none' || last?.role === 'tool') return undefined
  const forced =
    typeof choice === 'object' && choice !== null
      ? (choice as { function?: { name?: string } }).function?.name
      : undefined
  const tool = forced ? tools.find((t) => t.function?.name === forced) : tools[0]
  return tool?.function
}

/** Fill the tool's declared properties: strings get the prompt, numbers 1, booleans true. */
function argumentsFor(parameters: unknown, prompt: string): string {
  const properties =
    (parameters as { properties?: Record<string, { type?: string }> } | undefined)?.properties ?? {}
  const args: Record<string, unknown> = {}
  for (const [key, spec] of Object.entries(properties)) {
    if (spec.type === 'number' || spec.type === 'integer') args[key] = 1
    else if (spec.type === 'boolean') args[key] = true
    else if (spec.type === 'string' || spec.type === undefined) args[key] = prompt.slice(0, 200)
  }
  return JSON.stringify(args)
}

function jsonWanted(body: ChatBody): boolean {
  const type = (body['response_format'] as { type?: string } | undefined)?.type
  return type === 'json_object' || type === 'json_schema'
}

function jsonAnswer(body: ChatBody, answer: string): Record<string, unknown> {
  const format = body['response_format'] as { json_schema?: { schema?: unknown } } | undefined
  const schema = format?.json_schema?.schema
  if (schema === undefined) return { reply: answer }
  return JSON.parse(argumentsFor(schema, answer)) as Record<string, unknown>
}

function stops(body: ChatBody): string[] {
  const stop = body['stop']
  if (typeof stop === 'string') return [stop]
  return Array.isArray(stop) ? stop.filter((s): s is string => typeof s === 'string' && s !== '') : []
}

function textOf(message: ChatMessage | undefined): string {
  const content = message?.content
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .filter((part) => part.type === 'text')
    .map((part) => String((part as Record<string, unknown>)['text'] ?? ''))
    .join(' ')
}

function estimateTokens(text: string): number {
  return text === '' ? 0 : Math.ceil(text.length / 4)
}
