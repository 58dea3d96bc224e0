import { readFileSync } from 'node:fs'
import { type FakeOpenAI, json, type RecordedCall, rawSse, type Step, startFakeOpenAI } from './openai.js'

/**
 * A fake Google Gemini on a real socket, serving both ways in, checked as Google checks them:
 * - the Gemini API (ai.google.dev/api): `/v1beta/models/{model}:{method}`, key in `x-goog-api-key`
 *   (a wrong key is a 400 API_KEY_INVALID, a missing one a 403, as the real API answers);
 * - Vertex AI: `/v1/projects/{p}/locations/{l}/publishers/google/models/{model}:{method}` with
 *   `Authorization: Bearer` (else 401 UNAUTHENTICATED).
 * `streamGenerateContent` must carry `?alt=sse` (without it Google streams a JSON array). Request
 * bodies with a field Google does not know are refused the way Google refuses them ("Unknown
 * name ... Cannot find field"), so a translation mistake fails the test instead of passing by.
 * Answers are scripted like the OpenAI fake's (it runs the socket); streams are SSE events of
 * whole responses separated by CRLF, with no [DONE].
 */
export interface FakeGemini {
  /** Gemini API base URL (`.../v1beta`). */
  url: string
  /** Vertex AI base URL (`.../v1`). */
  vertexUrl: string
  calls: RecordedCall[]
  /** The part of the path after `models/`: `{model}:{method}`. */
  methodOf(call: RecordedCall): string
  server: FakeOpenAI
  close(): Promise<void>
}

export interface FakeGeminiAuth {
  apiKey?: string
  vertex?: { project: string; location: string; token: string }
}

const AI_STUDIO = /^\/v1beta\/models\/([^/:]+):([A-Za-z]+)(\?.*)?$/
const VERTEX =
  /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/:]+):([A-Za-z]+)(\?.*)?$/

export async function startFakeGemini(
  script: Step[] | ((call: RecordedCall) => Step),
  auth: FakeGeminiAuth = { apiKey: 'gemini-test-key' },
): Promise<FakeGemini> {
  let answered = 0
  const next = (call: RecordedCall): Step => {
    const refused = check(call, auth)
    if (refused) return refused
    if (typeof script === 'function') return script(call)
    answered++
    return script[Math.min(answered - 1, script.length - 1)] ?? json(geminiText('hello from the fake'))
  }
  const server = await startFakeOpenAI(next)
  const origin = server.url.replace(/\/v1$/, '')
  return {
    url: `${origin}/v1beta`,
    vertexUrl: `${origin}/v1`,
    calls: server.calls,
    methodOf: (call) => call.path.replace(/^.*\/models\//, '').replace(/\?.*$/, ''),
    server,
    close: () => server.close(),
  }
}

function check(call: RecordedCall, auth: FakeGeminiAuth): Step | undefined {
  const studio = AI_STUDIO.exec(call.path)
  const vertex = VERTEX.exec(call.path)
  if (!studio && !vertex) return googleError(404, 'NOT_FOUND', `Requested entity was not found: ${call.path}`)
  if (studio) {
    const key = call.headers['x-goog-api-key']
    if (key === undefined) {
      return googleError(
        403,
        'PERMISSION_DENIED',
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      )
    }
    if (key !== auth.apiKey) {
      return googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'API_KEY_INVALID',
          domain: 'googleapis.com',
        },
      ])
    }
  } else {
    const [, project, location] = vertex!
    if (call.headers.authorization !== `Bearer ${auth.vertex?.token}`) {
      return googleError(
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      )
    }
    if (project !== auth.vertex?.project || location !== auth.vertex?.location) {
      return googleError(403, 'PERMISSION_DENIED', `Permission denied on resource project ${project}.`)
    }
  }
  const method = (studio ? studio[2] : vertex![4])!
  const query = (studio ? studio[3] : vertex![5]) ?? ''
  if (method === 'streamGenerateContent' && query !== '?alt=sse') {
    return googleError(400, 'INVALID_ARGUMENT', 'the fake serves streams only as SSE (?alt=sse)')
  }
  if (method === 'generateContent' || method === 'streamGenerateContent') return checkGenerate(call.body)
  return undefined
}

const REQUEST_FIELDS = new Set([
  'contents',
  'systemInstruction',
  'tools',
  'toolConfig',
  'generationConfig',
  'safetySettings',
  'cachedContent',
  'labels',
])
const GENERATION_FIELDS = new Set([
  'stopSequences',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'candidateCount',
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'responseLogprobs',
  'logprobs',
  'thinkingConfig',
])
const SCHEMA_FIELDS = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'default',
  'items',
  'minimum',
  'maximum',
])

function checkGenerate(body: Record<string, unknown>): Step | undefined {
  const unknown = (name: string, where: string) =>
    googleError(
      400,
      'INVALID_ARGUMENT',
      `Invalid JSON payload received. Unknown name "${name}" at '${where}': Cannot find field.`,
    )
  for (const key of Object.keys(body)) if (!REQUEST_FIELDS.has(key)) return unknown(key, '')
  for (const key of Object.keys((body.generationConfig as object) ?? {}))
    if (!GENERATION_FIELDS.has(key)) return unknown(key, 'generation_config')
  const contents = body.contents as Array<{ role?: string; parts?: unknown[] }> | undefined
  if (!Array.isArray(contents) || contents.length === 0) {
    return googleError(
      400,
      'INVALID_ARGUMENT',
      '* GenerateContentRequest.contents: contents is not specified',
    )
  }
  for (const [i, content] of contents.entries()) {
    if (content.role !== 'user' && content.role !== 'model') {
      return googleError(400, 'INVALID_ARGUMENT', `Please use a valid role: user, model. (contents[${i}])`)
    }
    if (!Array.isArray(content.parts) || content.parts.length === 0) {
      return googleError(
        400,
        'INVALID_ARGUMENT',
        `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`,
      )
    }
  }
  // Gemini 3: the first function call of each model turn must carry its thought signature.
  for (const [i, content] of contents.entries()) {
    const first = (content.parts as Array<Record<string, unknown>>).find((p) => p.functionCall)
    if (content.role === 'model' && first && typeof first.thoughtSignature !== 'string') {
      return googleError(
        400,
        'INVALID_ARGUMENT',
        `Function call is missing a thought_signature in functionCall parts. (contents[${i}])`,
      )
    }
  }
  const tools = (body.tools as Array<{ functionDeclarations?: Array<{ parameters?: unknown }> }>) ?? []
  for (const [i, tool] of tools.entries()) {
    for (const [j, fn] of (tool.functionDeclarations ?? []).entries()) {
      const bad = badSchemaKey(fn.parameters)
      if (bad) return unknown(bad, `tools[${i}].function_declarations[${j}].parameters`)
    }
  }
  const bad = badSchemaKey(
    (body.generationConfig as { responseSchema?: unknown } | undefined)?.responseSchema,
  )
  return bad ? unknown(bad, 'generation_config.response_schema') : undefined
}

function badSchemaKey(schema: unknown): string | undefined {
  if (schema === undefined || schema === null || typeof schema !== 'object') return undefined
  for (const [key, value] of Object.entries(schema)) {
    if (!SCHEMA_FIELDS.has(key)) return key
    const children =
      key === 'properties'
        ? Object.values(value as object)
        : key === 'items'
          ? [value]
          : key === 'anyOf'
            ? (value as unknown[])
            : []
    for (const child of children) {
      const bad = badSchemaKey(child)
      if (bad) return bad
    }
  }
  return undefined
}

/** Google's error body: `{"error":{"code","message","status","details"}}`. */
export function googleError(
  code: number,
  status: string,
  message: string,
  details?: unknown[],
  headers: Record<string, string> = {},
): Step {
  return json(
    { error: { code, message, status, ...(details ? { details } : {}) } },
    { status: code, headers },
  )
}

/** A Gemini stream: each response one `data:` event, CRLF-delimited as Google sends them. */
export const geminiSse = (events: unknown[], init: Parameters<typeof rawSse>[1] = {}): Step =>
  rawSse(events.map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`).join(''), init)

/** A complete generateContent answer with one text candidate. */
export function geminiText(text: string, finishReason = 'STOP'): Record<string, unknown> {
  return {
    candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason, index: 0 }],
    usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 4, totalTokenCount: 9 },
    modelVersion: 'gemini-2.5-flash',
    responseId: 'resp-fake',
  }
}

/** A complete generateContent answer calling `name` with `args`. */
export function geminiCall(name: string, args: Record<string, unknown>): Record<string, unknown> {
  return {
    candidates: [
      {
        content: { parts: [{ functionCall: { name, args } }], role: 'model' },
        finishReason: 'STOP',
        index: 0,
      },
    ],
    usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 6, totalTokenCount: 26 },
    modelVersion: 'gemini-2.5-flash',
  }
}

/** Stream events answering `text` in pieces, the last with STOP and usage. */
export function geminiTextEvents(text: string, pieceChars = 5): unknown[] {
  const events: unknown[] = []
  for (let i = 0; i < text.length; i += pieceChars) {
    events.push({
      candidates: [
        { content: { parts: [{ text: text.slice(i, i + pieceChars) }], role: 'model' }, index: 0 },
      ],
      modelVersion: 'gemini-2.5-flash',
    })
  }
  events.push({
    candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 8, totalTokenCount: 13 },
    modelVersion: 'gemini-2.5-flash',
  })
  return events
}

export const geminiFixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/gemini/${name}`, import.meta.url), 'utf8')
