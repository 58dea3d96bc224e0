import type { IncomingHttpHeaders } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { message, startFakeAnthropic, textMessage } from '../fakes/anthropic.js'
import { startFakeAzureOpenAI } from '../fakes/azure-openai.js'
import { json as bedrockJson, converseText, startFakeBedrock, TEST_CREDENTIALS } from '../fakes/bedrock.js'
import { geminiText, startFakeGemini } from '../fakes/gemini.js'
import { mistralCompletion, startFakeMistral } from '../fakes/mistral.js'
import { completion, json, startFakeOpenAI } from '../fakes/openai.js'
import { type OtlpReceiver, startOtlpReceiver } from '../fakes/otlp-receiver.js'
import { postJson, startTestGateway, type TestGateway } from '../helpers/gateway.js'

/**
 * Every provider kind that speaks HTTP passes the caller's trace on: each fake (which checks its
 * provider's auth as the real one does, SigV4 included for Bedrock) must receive a `traceparent`
 * in the caller's trace whose parent is the attempt span, and still accept the call.
 */
describe('trace context reaches every provider kind', () => {
  const fakes: Array<{ close(): Promise<unknown> }> = []
  const received = new Map<string, () => IncomingHttpHeaders | undefined>()
  let receiver: OtlpReceiver
  let gateway: TestGateway

  beforeAll(async () => {
    const openai = await startFakeOpenAI([json(completion('hi'))])
    const azure = await startFakeAzureOpenAI([json(completion('hi'))], {
      deployments: ['gpt4o-prod'],
      apiKey: 'azure-key',
    })
    const mistral = await startFakeMistral([json(mistralCompletion('bonjour'))])
    const gemini = await startFakeGemini([json(geminiText('hi'))])
    const anthropic = await startFakeAnthropic([message(textMessage('hi'))], { apiKey: 'anthropic-key' })
    const bedrock = await startFakeBedrock([bedrockJson(converseText('hi'))])
    receiver = await startOtlpReceiver()
    fakes.push(openai, azure, mistral, gemini, anthropic, bedrock, receiver)
    received.set('openai', () => openai.calls.at(-1)?.headers)
    received.set('azure', () => azure.calls.at(-1)?.headers)
    received.set('mistral', () => mistral.calls.at(-1)?.headers)
    received.set('gemini', () => gemini.calls.at(-1)?.headers)
    received.set('anthropic', () => anthropic.calls.at(-1)?.headers)
    received.set('bedrock', () => bedrock.calls.at(-1)?.headers)
    gateway = await startTestGateway({
      providers: {
        openai: { kind: 'openai', base_url: openai.url, api_key: 'sk-test' },
        azure: { kind: 'azure-openai', base_url: azure.url, api_key: 'azure-key' },
        mistral: { kind: 'mistral', base_url: mistral.url, api_key: 'mistral-test-key' },
        gemini: { kind: 'gemini', base_url: gemini.url, api_key: 'gemini-test-key' },
        anthropic: { kind: 'anthropic', base_url: anthropic.url, api_key: 'anthropic-key' },
        bedrock: {
          kind: 'bedrock',
          base_url: bedrock.url,
          region: TEST_CREDENTIALS.region,
          aws_access_key_id: TEST_CREDENTIALS.accessKeyId,
          aws_secret_access_key: TEST_CREDENTIALS.secretAccessKey,
        },
      },
      models: {
        openai: { provider: 'openai', model: 'gpt-4o-mini' },
        azure: { provider: 'azure', model: 'gpt4o-prod' },
        mistral: { provider: 'mistral', model: 'mistral-small-latest' },
        gemini: { provider: 'gemini', model: 'gemini-2.5-flash' },
        anthropic: { provider: 'anthropic', model: 'claude-sonnet-4-20250514' },
        bedrock: { provider: 'bedrock', model: 'anthropic.claude-3-5-sonnet-20240620-v1:0' },
      },
      routing: { retry: { attempts: 1 } },
      tracing: { enabled: true, otlp_endpoint: receiver.url },
    })
  })
  afterAll(async () => {
    await gateway?.close()
    for (const fake of fakes) await fake.close()
  })

  const PROVIDER_NAMES: Record<string, string> = {
    openai: 'openai',
    azure: 'azure.ai.openai',
    mistral: 'mistral_ai',
    gemini: 'gcp.gemini',
    anthropic: 'anthropic',
    bedrock: 'aws.bedrock',
  }

  it.each(Object.keys(PROVIDER_NAMES))(
    '%s: receives the caller trace, signed and accepted',
    async (model) => {
      const traceId = `${model
        .padEnd(8, '0')
        .slice(0, 8)
        .replace(/[^0-9a-f]/g, 'a')}${'1'.repeat(24)}`
      const res = await postJson(
        `${gateway.url}/v1/chat/completions`,
        { model, messages: [{ role: 'user', content: 'hi' }] },
        { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, tracestate: 'acme=1' },
      )
      expect(res.status, res.text).toBe(200)
      const headers = received.get(model)!()!
      const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(headers.traceparent))
      expect(match?.[1]).toBe(traceId)
      expect(headers.tracestate).toBe('acme=1')
      if (model === 'bedrock') {
        // Added before signing: covered by the signature the fake just verified.
        expect(String(headers.authorization)).toMatch(/SignedHeaders=[^,]*traceparent/)
      }
    },
  )

  it('names each provider as the GenAI conventions do', async () => {
    await gateway.close()
    const clients = receiver.spans.filter((s) => s.kind === 'client')
    const byModel = Object.fromEntries(
      clients.map((s) => [s.attributes['gatehouse.target'], s.attributes['gen_ai.provider.name']]),
    )
    expect(byModel).toEqual(PROVIDER_NAMES)
  })
})
