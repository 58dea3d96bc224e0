import { Hash } from '@smithy/core/serde'
import { SignatureV4 } from '@smithy/signature-v4'
import { describe, expect, it } from 'vitest'
import { parseAuthorization, signature } from '../../../test/fakes/aws-sigv4.js'
import type { ResolvedProvider } from '../../config/load.js'
import { Secret } from '../../config/secret.js'
import { createRequestSigner, encodePathSegment } from './sign-request.js'

/**
 * AWS's published Signature Version 4 test suite (aws-sig-v4-test-suite, 2015-08-30 vectors):
 * credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, region us-east-1, service
 * "service". Both the smithy signer (the gateway's) and the fake Bedrock's own implementation
 * must produce the published signatures.
 */
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
const VECTORS: Array<{ name: string; headers: Record<string, string>; body: string; authorization: string }> =
  [
    {
      name: 'post-vanilla',
      headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' },
      body: '',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
    },
    {
      name: 'post-x-www-form-urlencoded',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        host: 'example.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
      },
      body: 'Param1=value1',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
    },
  ]

describe('SigV4 against AWS test vectors', () => {
  for (const vector of VECTORS) {
    it(`the fake's independent implementation reproduces ${vector.name}`, () => {
      const auth = parseAuthorization(vector.authorization)!
      const sig = signature({
        method: 'POST',
        path: '/',
        headers: vector.headers,
        signedHeaders: auth.signedHeaders,
        body: vector.body,
        secretAccessKey: SECRET,
        amzDate: '20150830T123600Z',
        region: 'us-east-1',
        service: 'service',
      })
      expect(sig).toBe(auth.signature)
    })

    it(`the smithy signer reproduces ${vector.name}`, async () => {
      const signer = new SignatureV4({
        service: 'service',
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET },
        sha256: Hash.bind(null, 'sha256'),
        // The suite predates x-amz-content-sha256; the gateway sends it (and the fake checks it).
        applyChecksum: false,
      })
      const { 'x-amz-date': _, ...headers } = vector.headers
      const signed = await signer.sign(
        {
          method: 'POST',
          protocol: 'https:',
          hostname: 'example.amazonaws.com',
          path: '/',
          query: {},
          headers,
          body: vector.body,
        },
        { signingDate: new Date('2015-08-30T12:36:00Z') },
      )
      expect(signed.headers['authorization']).toBe(vector.authorization)
    })
  }
})

describe('createRequestSigner', () => {
  const provider = (extra: Partial<ResolvedProvider>): ResolvedProvider =>
    ({ kind: 'bedrock', name: 'aws', trust: 'external', region: 'eu-west-3', ...extra }) as ResolvedProvider
  const request = {
    method: 'POST',
    host: 'bedrock-runtime.eu-west-3.amazonaws.com',
    path: `/model/${encodePathSegment('anthropic.claude-3-haiku-20240307-v1:0')}/converse`,
    headers: { 'content-type': 'application/json' },
    body: '{"messages":[]}',
  }

  it('signs for service bedrock in the configured region, with the session token, verifiable by the fake', async () => {
    const sign = createRequestSigner(
      provider({
        aws_access_key_id: new Secret('AKIDTEST'),
        aws_secret_access_key: new Secret('s3cr3t'),
        aws_session_token: new Secret('session-token-xyz'),
      }),
      () => new Date('2026-01-02T03:04:05Z'),
    )
    const headers = await sign(request)
    expect(headers['x-amz-date']).toBe('20260102T030405Z')
    expect(headers['x-amz-security-token']).toBe('session-token-xyz')
    const auth = parseAuthorization(headers['authorization'])!
    expect(auth).toMatchObject({
      accessKeyId: 'AKIDTEST',
      day: '20260102',
      region: 'eu-west-3',
      service: 'bedrock',
    })
    expect(auth.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token']))
    const expected = signature({
      method: 'POST',
      path: request.path,
      headers,
      signedHeaders: auth.signedHeaders,
      body: request.body,
      secretAccessKey: 's3cr3t',
      amzDate: '20260102T030405Z',
      region: 'eu-west-3',
      service: 'bedrock',
    })
    expect(auth.signature).toBe(expected)
  })

  it('sends a Bedrock API key as a bearer token', async () => {
    const sign = createRequestSigner(provider({ api_key: new Secret('bedrock-api-key-123') }))
    expect((await sign(request))['authorization']).toBe('Bearer bedrock-api-key-123')
  })

  it('encodes model ids and inference-profile ARNs as one path segment', () => {
    expect(encodePathSegment('anthropic.claude-3-haiku-20240307-v1:0')).toBe(
      'anthropic.claude-3-haiku-20240307-v1%3A0',
    )
    expect(
      encodePathSegment(
        'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-2-1b-instruct-v1:0',
      ),
    ).toBe(
      'arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.meta.llama3-2-1b-instruct-v1%3A0',
    )
    expect(encodePathSegment("a!b'c(d)e*f")).toBe('a%21b%27c%28d%29e%2Af')
  })
})
