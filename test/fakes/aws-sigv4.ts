import { createHash, createHmac } from 'node:crypto'

/**
 * Signature Version 4, written from AWS's description of the algorithm
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html),
 * independently of the signer the gateway uses, so the fake Bedrock can check the gateway's
 * signatures the way AWS does: rebuild the canonical request from what arrived on the wire,
 * derive the signing key from the secret, compare. Checked against AWS's published test suite.
 */

export interface SignatureInput {
  method: string
  /** The path as received (each segment URI-encoded once). */
  path: string
  /** Query parameters, decoded. */
  query?: Array<[string, string]>
  /** Header values by lower-case name. */
  headers: Record<string, string | string[] | undefined>
  signedHeaders: string[]
  body: string | Buffer
  secretAccessKey: string
  /** `x-amz-date`, e.g. 20150830T123600Z. */
  amzDate: string
  region: string
  service: string
}

/** RFC 3986 percent-encoding of everything but the unreserved characters, uppercase hex. */
export function uriEncode(value: string): string {
  let out = ''
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte)
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest()

export function canonicalRequest(input: SignatureInput): string {
  // Services other than S3 encode each path segment again on top of the encoding sent.
  const uri = input.path.split('/').map(uriEncode).join('/') || '/'
  const query = (input.query ?? [])
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
  const headers = input.signedHeaders
    .map((name) => {
      const raw = input.headers[name]
      const value = (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).trim().replace(/\s+/g, ' ')
      return `${name}:${value}\n`
    })
    .join('')
  return [input.method, uri, query, headers, input.signedHeaders.join(';'), sha256Hex(input.body)].join('\n')
}

export function signature(input: SignatureInput): string {
  const day = input.amzDate.slice(0, 8)
  const scope = `${day}/${input.region}/${input.service}/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', input.amzDate, scope, sha256Hex(canonicalRequest(input))].join(
    '\n',
  )
  const kDate = hmac(`AWS4${input.secretAccessKey}`, day)
  const kSigning = hmac(hmac(hmac(kDate, input.region), input.service), 'aws4_request')
  return createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex')
}

export interface ParsedAuthorization {
  accessKeyId: string
  day: string
  region: string
  service: string
  signedHeaders: string[]
  signature: string
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=a;b, Signature=hex` */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      header ?? '',
    )
  if (!match) return undefined
  const [, accessKeyId, day, region, service, signed, sig] = match
  return {
    accessKeyId: accessKeyId!,
    day: day!,
    region: region!,
    service: service!,
    signedHeaders: signed!.split(';'),
    signature: sig!,
  }
}
