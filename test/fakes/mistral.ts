import { readFileSync } from 'node:fs'
import { type FakeOpenAI, json, type RecordedCall, type Step, startFakeOpenAI } from './openai.js'

/**
 * A fake Mistral API on a real socket (docs.mistral.ai/api): `/v1/chat/completions` and
 * `/v1/embeddings` with `Authorization: Bearer`. Like the real API it refuses fields it does not
 * know with a 422 `extra_forbidden` (so `seed`, `stream_options` or `max_completion_tokens` sent
 * by mistake fail the test), accepts `tool_choice` auto/none/any or a named function, and wants
 * tool call ids of 9 letters or digits. Answers are scripted like the OpenAI fake's, which runs
 * the socket; Mistral's streams end with `data: [DONE]` and carry usage on the last chunk.
 */
export interface FakeMistral {
  /** Base URL including `/v1`. */
  url: string
  calls: RecordedCall[]
  server: FakeOpenAI
  close(): Promise<void>
}

const CHAT_FIELDS = new Set([
  'model',
  'messages',
  'temperature',
  'top_p',
  'max_tokens',
  'stream',
  'stop',
  'random_seed',
  'response_format',
  'tools',
  'tool_choice',
  'presence_penalty',
  'frequency_penalty',
  'n',
  'prediction',
  'parallel_tool_calls',
  'safe_prompt',
  'prompt_mode',
])
const EMBEDDING_FIELDS = new Set([
  'model',
  'input',
  'output_dimension',
  'output_dtype',
  'encoding_format',
  'metadata',
])
const TOOL_ID = /^[a-zA-Z0-9]{9}$/

export async function startFakeMistral(script: Step[], apiKey = 'mistral-test-key'): Promise<FakeMistral> {
  let answered = 0
  const server = await startFakeOpenAI((call) => {
    const refused = check(call, apiKey)
    if (refused) return refused
    answered++
    return script[Math.min(answered - 1, script.length - 1)] ?? json(mistralCompletion('bonjour'))
  })
  return { url: server.url, calls: server.calls, server, close: () => server.close() }
}

function check(call: RecordedCall, apiKey: string): Step | undefined {
  if (call.headers.authorization !== `Bearer ${apiKey}`)
    return json(mistralFixture('error-401.json'), { status: 401 })
  const fields =
    call.path === '/v1/chat/completions'
      ? CHAT_FIELDS
      : call.path === '/v1/embeddings'
        ? EMBEDDING_FIELDS
        : undefined
  if (!fields) return json({ detail: 'Not Found' }, { status: 404 })
  for (const [key, value] of Object.entries(call.body)) {
    if (!fields.has(key))
      return validationError(key, value, 'extra_forbidden', 'Extra inputs are not permitted')
  }
  const choice = call.body.tool_choice
  if (typeof choice === 'string' && !['auto', 'none', 'any'].includes(choice)) {
    return validationError('tool_choice', choice, 'enum', "Input should be 'auto', 'none' or 'any'")
  }
  for (const message of (call.body.messages as Array<Record<string, unknown>>) ?? []) {
    const ids = [
      ...((message.tool_calls as Array<{ id: string }> | undefined) ?? []).map((c) => c.id),
      ...(typeof message.tool_call_id === 'string' ? [message.tool_call_id] : []),
    ]
    const bad = ids.find((id) => !TOOL_ID.test(id))
    if (bad !== undefined) {
      return mistralError(
        400,
        `Tool call id was ${bad} but must be a-z, A-Z, 0-9, with a length of 9.`,
        'invalid_request_message_order',
      )
    }
  }
  return undefined
}

/** Mistral's 422: FastAPI's validation detail inside its error envelope. */
function validationError(field: string, input: unknown, type: string, msg: string): Step {
  return json(
    {
      object: 'error',
      message: { detail: [{ type, loc: ['body', field], msg, input }] },
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
    { status: 422 },
  )
}

/** Mistral's error envelope: `{"object":"error","message","type","param","code"}`. */
export function mistralError(
  status: number,
  message: string,
  type = 'invalid_request_error',
  headers: Record<string, string> = {},
): Step {
  return json({ object: 'error', message, type, param: null, code: null }, { status, headers })
}

export function mistralCompletion(
  text: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: 'cmpl-e5cc70bb28c444948073e77776eb30ef',
    object: 'chat.completion',
    model: 'mistral-small-latest',
    created: 1_754_000_300,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, tool_calls: null, prefix: false },
        finish_reason: 'stop',
        ...extra,
      },
    ],
    usage: { prompt_tokens: 16, completion_tokens: 34, total_tokens: 50 },
  }
}

export function mistralFixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/mistral/${name}`, import.meta.url), 'utf8'))
}

export const mistralSseFixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/mistral/${name}`, import.meta.url), 'utf8')
