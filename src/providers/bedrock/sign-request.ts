import type { SignatureV4 } from '@smithy/signature-v4'
import type { ResolvedProvider } from '../../config/load.js'

export interface SignableRequest {
  method: string
  /** `host[:port]` exactly as sent in the Host header: it is part of the signature. */
  host: string
  /** The path as sent, each segment URI-encoded once. */
  path: string
  headers: Record<string, string>
  body: string
}

/** The headers to send for a request: the given ones plus the credentials. */
export type RequestSigner = (request: SignableRequest) => Promise<Record<string, string>>

/**
 * Credentials for Bedrock Runtime: a Bedrock API key goes as a bearer token
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys-use.html); AWS keys sign each
 * request with Signature Version 4 for service `bedrock`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html),
 * by smithy's signer, the one the AWS SDK for JavaScript uses. It double-encodes the path in the
 * canonical request, as every service but S3 expects. `now` is injectable for tests. The signer
 * loads on the first call, so a gateway without Bedrock never loads it.
 */
export function createRequestSigner(
  config: ResolvedProvider,
  now: () => Date = () => new Date(),
): RequestSigner {
  if (config.api_key) {
    const apiKey = config.api_key
    return async (request) => ({ ...request.headers, authorization: `Bearer ${apiKey.reveal()}` })
  }
  let signer: Promise<SignatureV4> | undefined
  return async (request) => {
    signer ??= loadSigner(config)
    const signed = await (await signer).sign(
      {
        method: request.method,
        protocol: 'https:',
        hostname: request.host,
        path: request.path,
        query: {},
        headers: { ...request.headers, host: request.host },
        body: request.body,
      },
      { signingDate: now() },
    )
    return signed.headers
  }
}

async function loadSigner(config: ResolvedProvider): Promise<SignatureV4> {
  const [{ SignatureV4 }, { Hash }] = await Promise.all([
    import('@smithy/signature-v4'),
    import('@smithy/core/serde'),
  ])
  const { aws_access_key_id: keyId, aws_secret_access_key: secret, aws_session_token: token } = config
  return new SignatureV4({
    service: 'bedrock',
    region: config.region!,
    // Revealed per call, inside the signer: the keys never sit in a plain object of ours.
    credentials: async () => ({
      accessKeyId: keyId!.reveal(),
      secretAccessKey: secret!.reveal(),
      ...(token ? { sessionToken: token.reveal() } : {}),
    }),
    sha256: Hash.bind(null, 'sha256'),
  })
}

/**
 * URI-encode a path segment as SigV4 defines it: everything but `A-Z a-z 0-9 - _ . ~`.
 * encodeURIComponent leaves `! ' ( ) *` alone, so those are done by hand. Model ids have `:`
 * (`anthropic.claude-3-haiku-20240307-v1:0`) and inference-profile ARNs `:` and `/`.
 */
export function encodePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}
