// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text with ${VAR} references
import { readFileSync } from 'node:fs'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { type LoadResult, parseConfig } from './load.js'

function errorsOf(result: LoadResult): string[] {
  if (result.ok) throw new Error('expected config errors, the config was accepted')
  return result.errors
}

const env = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-example-key' }

describe('parseConfig: bedrock providers', () => {
  it('accepts AWS keys from the environment and keeps them secret', () => {
    const result = parseConfig(
      `providers:
  aws: { kind: bedrock, region: eu-central-1, aws_access_key_id: "\${AWS_ACCESS_KEY_ID}", aws_secret_access_key: "\${AWS_SECRET_ACCESS_KEY}" }`,
      env,
    )
    if (!result.ok) throw new Error(result.errors.join('\n'))
    const aws = result.config.providers['aws']!
    expect(aws.trust).toBe('external')
    expect(aws.aws_secret_access_key?.reveal()).toBe('secret-example-key')
    expect(JSON.stringify(aws)).not.toContain('secret-example-key')
    expect(inspect(aws)).not.toContain('secret-example-key')
  })

  it('accepts a Bedrock API key instead of AWS keys', () => {
    const result = parseConfig('providers:\n  aws: { kind: bedrock, region: us-east-1, api_key: br-key }', {})
    expect(result.ok).toBe(true)
  })

  it('requires an AWS region, by key path', () => {
    expect(errorsOf(parseConfig('providers:\n  aws: { kind: bedrock, api_key: k }', {}))).toEqual([
      'providers.aws.region: required for kind bedrock: the AWS region to call (e.g. us-east-1, eu-central-1)',
    ])
    expect(errorsOf(parseConfig('providers:\n  aws: { kind: bedrock, api_key: k, region: eu }', {}))).toEqual(
      [
        'providers.aws.region: "eu" is not an AWS region: the AWS region to call (e.g. us-east-1, eu-central-1)',
      ],
    )
  })

  it('requires credentials, and both halves of an AWS key pair', () => {
    expect(errorsOf(parseConfig('providers:\n  aws: { kind: bedrock, region: us-east-1 }', {}))).toEqual([
      expect.stringMatching(/^providers\.aws: kind bedrock needs credentials: aws_access_key_id and/),
    ])
    const half = parseConfig(
      'providers:\n  aws: { kind: bedrock, region: us-east-1, aws_access_key_id: AKID }',
      {},
    )
    expect(errorsOf(half)).toEqual([
      'providers.aws.aws_secret_access_key: required with the other AWS key (e.g. aws_secret_access_key: ${AWS_SECRET_ACCESS_KEY})',
    ])
  })

  it('rejects a session token without keys, both kinds of credentials, and AWS keys on other kinds', () => {
    expect(
      errorsOf(
        parseConfig(
          'providers:\n  aws: { kind: bedrock, region: us-east-1, api_key: k, aws_session_token: t }',
          {},
        ),
      ),
    ).toEqual(['providers.aws.aws_session_token: only used with aws_access_key_id and aws_secret_access_key'])
    expect(
      errorsOf(
        parseConfig(
          'providers:\n  aws: { kind: bedrock, region: us-east-1, api_key: k, aws_access_key_id: a, aws_secret_access_key: s }',
          {},
        ),
      ),
    ).toEqual(['providers.aws.api_key: give either a Bedrock API key (api_key) or AWS keys, not both'])
    expect(errorsOf(parseConfig('providers:\n  o: { kind: openai, aws_access_key_id: a }', {}))).toEqual([
      'providers.o: aws_* keys are only used by kind bedrock (this provider is openai)',
    ])
  })

  it("accepts the README's bedrock example", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const section = readme.slice(readme.indexOf('### Amazon Bedrock'))
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1]!
    const result = parseConfig(yaml, env)
    expect(result.ok ? [] : result.errors).toEqual([])
    if (result.ok) expect(result.config.models['claude-eu']!.model).toMatch(/^arn:aws:bedrock:/)
  })
})
