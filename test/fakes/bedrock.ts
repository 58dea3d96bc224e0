import { createHash } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { eventFrame, exceptionFrame } from './aws-event-stream.js'
import { parseAuthorization, signature } from './aws-sigv4.js'
import { cutBytes, listenFake, readBody } from './fake-server.js'

/**
 * A fake Amazon Bedrock Runtime on a real socket, after the API reference
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_Operations_Amazon_Bedrock_Runtime.html):
 * `POST /model/{modelId}/converse` (JSON), `/converse-stream` (application/vnd.amazon.eventstream
 * frames with CRCs, written at chosen or random byte positions), `/invoke` (the model's own JSON),
 * AWS errors (`x-amzn-errortype` header, `{"message"}` body), stalls and resets. Like AWS it checks
 * every request's credentials first: SigV4 recomputed from the request as received with the known
 * secret (403 InvalidSignatureException / UnrecognizedClientException when wrong), or a Bedrock
 * API key as a bearer token.
 */

export type StreamItem = { event: string; payload: unknown } | { exception: string; message: string }
export type StreamEnd = 'end' | 'stall' | 'reset'

export type BedrockStep =
  | { type: 'json'; status: number; body: unknown; headers: Record<string, string> }
  | { type: 'raw'; status: number; text: string; headers: Record<string, string> }
  | {
      type: 'events'
      frames: Buffer[]
      splitAt: 'frames' | 'random' | number[]
      gapMs: number
      ending: StreamEnd
    }
  | { type: 'stall' }
  | { type: 'reset' }

export interface BedrockCall {
  path: string
  /** The model id or ARN, decoded from the path. */
  modelId: string
  action: string
  headers: IncomingHttpHeaders
  body: Record<string, any>
  aborted: Promise<boolean>
}

export interface FakeBedrockOptions {
  accessKeyId?: string
  secretAccessKey?: string
  sessionToken?: string
  apiKey?: string
  region?: string
}

export interface FakeBedrock {
  url: string
  calls: BedrockCall[]
  connections: number
  close(): Promise<void>
}

export const TEST_CREDENTIALS = {
  accessKeyId: 'AKIDFAKEBEDROCK00001',
  secretAccessKey: 'fake/secret+KEY/for-tests-only0000000000',
  region: 'us-east-1',
}

export const json = (
  body: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): BedrockStep => ({
  type: 'json',
  status: init.status ?? 200,
  body,
  headers: { 'x-amzn-requestid': 'req-fake-0001', ...init.headers },
})

/** An AWS JSON error: the type in `x-amzn-errortype` (with Coral's namespace suffix), the message in the body. */
export const awsError = (
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
) =>
  json(
    { message },
    {
      status,
      headers: {
        'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
        ...headers,
      },
    },
  )

export const raw = (text: string, status = 200): BedrockStep => ({
  type: 'raw',
  status,
  text,
  headers: { 'content-type': 'application/json' },
})

export const stream = (
  items: StreamItem[],
  init: { splitAt?: 'frames' | 'random' | number[]; gapMs?: number; ending?: StreamEnd } = {},
): BedrockStep => ({
  type: 'events',
  frames: items.map((item) =>
    'event' in item ? eventFrame(item.event, item.payload) : exceptionFrame(item.exception, item.message),
  ),
  splitAt: init.splitAt ?? 'frames',
  gapMs: init.gapMs ?? 0,
  ending: init.ending ?? 'end',
})

export const stall = (): BedrockStep => ({ type: 'stall' })
export const reset = (): BedrockStep => ({ type: 'reset' })

/** A Converse answer with text, as Bedrock returns it. */
export function converseText(
  text: string,
  init: { stopReason?: string; usage?: Record<string, number> } = {},
) {
  return {
    output: { message: { role: 'assistant', content: [{ text }] } },
    stopReason: init.stopReason ?? 'end_turn',
    usage: init.usage ?? { inputTokens: 12, outputTokens: 7, totalTokens: 19 },
    metrics: { latencyMs: 321 },
  }
}

/** The ConverseStream events for a text answer, in Bedrock's order. */
export function textEvents(
  text: string,
  init: { pieceChars?: number; stopReason?: string } = {},
): StreamItem[] {
  const size = init.pieceChars ?? 4
  const items: StreamItem[] = [{ event: 'messageStart', payload: { role: 'assistant' } }]
  for (let i = 0; i < text.length; i += size) {
    items.push({
      event: 'contentBlockDelta',
      payload: { contentBlockIndex: 0, delta: { text: text.slice(i, i + size) } },
    })
  }
  items.push(
    { event: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
    { event: 'messageStop', payload: { stopReason: init.stopReason ?? 'end_turn' } },
    {
      event: 'metadata',
      payload: { usage: { inputTokens: 11, outputTokens: 5, totalTokens: 16 }, metrics: { latencyMs: 200 } },
    },
  )
  return items
}

export async function startFakeBedrock(
  script: BedrockStep[] | ((call: BedrockCall) => BedrockStep),
  options: FakeBedrockOptions = TEST_CREDENTIALS,
): Promise<FakeBedrock> {
  const calls: BedrockCall[] = []
  const next = (call: BedrockCall): BedrockStep =>
    typeof script === 'function' ? script(call) : script[Math.min(calls.length - 1, script.length - 1)]!

  const server = createServer(async (req, res) => {
    const bodyBytes = await readBody(req)
    const denied = checkAuth(req, bodyBytes, options)
    if (denied) return void answer(denied, req, res)
    const match = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/.exec(req.url ?? '')
    if (req.method !== 'POST' || !match) {
      return void answer(awsError(404, 'UnknownOperationException', 'unknown operation'), req, res)
    }
    const call: BedrockCall = {
      path: req.url ?? '',
      modelId: decodeURIComponent(match[1]!),
      action: match[2]!,
      headers: req.headers,
      body: JSON.parse(bodyBytes.toString('utf8') || '{}'),
      aborted: new Promise((resolve) => res.on('close', () => resolve(!res.writableFinished))),
    }
    calls.push(call)
    await answer(next(call), req, res)
  })
  const listening = await listenFake(server)
  return {
    url: `http://127.0.0.1:${listening.port}`,
    calls,
    get connections() {
      return listening.connections()
    },
    close: listening.close,
  }
}

/** AWS's answer to bad credentials, or undefined when the request is properly authenticated. */
function checkAuth(req: IncomingMessage, body: Buffer, options: FakeBedrockOptions): BedrockStep | undefined {
  const authorization = req.headers.authorization
  if (options.apiKey !== undefined && authorization?.startsWith('Bearer ')) {
    return authorization === `Bearer ${options.apiKey}`
      ? undefined
      : awsError(
          403,
          'AccessDeniedException',
          'Authentication failed: Invalid API Key format: Must start with pre-defined prefix',
        )
  }
  const auth = parseAuthorization(authorization)
  if (!auth)
    return awsError(403, 'IncompleteSignatureException', 'Authorization header requires a valid signature.')
  if (auth.accessKeyId !== options.accessKeyId) {
    return awsError(
      403,
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    )
  }
  if (options.sessionToken !== undefined && req.headers['x-amz-security-token'] !== options.sessionToken) {
    return awsError(
      403,
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    )
  }
  const amzDate = String(req.headers['x-amz-date'] ?? '')
  const contentHash = req.headers['x-amz-content-sha256']
  const mismatch =
    !auth.signedHeaders.includes('host') ||
    !auth.signedHeaders.includes('x-amz-date') ||
    !amzDate.startsWith(auth.day) ||
    auth.region !== options.region ||
    auth.service !== 'bedrock' ||
    (contentHash !== undefined && contentHash !== createHash('sha256').update(body).digest('hex')) ||
    signature({
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      signedHeaders: auth.signedHeaders,
      body,
      secretAccessKey: options.secretAccessKey ?? '',
      amzDate,
      region: auth.region,
      service: auth.service,
    }) !== auth.signature
  return mismatch
    ? awsError(
        403,
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      )
    : undefined
}

async function answer(step: BedrockStep, req: IncomingMessage, res: ServerResponse): Promise<void> {
  switch (step.type) {
    case 'json':
      res
        .writeHead(step.status, { 'content-type': 'application/json', ...step.headers })
        .end(JSON.stringify(step.body))
      return
    case 'raw':
      res.writeHead(step.status, step.headers).end(step.text)
      return
    case 'stall':
      return
    case 'reset':
      req.socket.destroy()
      return
    case 'events': {
      res.writeHead(200, {
        'content-type': 'application/vnd.amazon.eventstream',
        'x-amzn-requestid': 'req-fake-0002',
      })
      res.flushHeaders()
      for (const piece of split(step.frames, step.splitAt)) {
        if (res.destroyed) return
        res.write(piece)
        await sleep(step.gapMs)
      }
      if (step.ending === 'end') res.end()
      else if (step.ending === 'reset') req.socket.destroy()
    }
  }
}

function split(frames: Buffer[], how: 'frames' | 'random' | number[]): Buffer[] {
  return how === 'frames' ? frames : cutBytes(Buffer.concat(frames), how, 9)
}
