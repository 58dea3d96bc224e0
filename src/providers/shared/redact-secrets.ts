/**
 * Credentials a provider may echo in an error message: OpenAI's 401 prints part of the key it got
 * ("Incorrect API key provided: sk-proj-abc***xyz1"), and proxies in front of OpenAI-compatible
 * servers have been seen to print all of it. Messages reach callers and logs, so any key-like
 * token is replaced before a message leaves the adapter.
 */
const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // OpenAI (sk-, sk-proj-), Anthropic (sk-ant-), and the many OpenAI-compatible services that copy them
  [/\bsk-[A-Za-z0-9_*-]{6,}/g, 'sk-[redacted]'],
  [/\bBearer\s+[A-Za-z0-9._~+/*-]+=*/gi, 'Bearer [redacted]'],
  // Google API keys, AWS access key ids, JWTs (service-account and Entra tokens)
  [/\bAIza[0-9A-Za-z_-]{20,}/g, '[redacted]'],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, '[redacted]'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[redacted]'],
  // key=value and "key": "value" forms
  [/\b((?:api[_-]?key|access[_-]?token|secret|password)["']?\s*[:=]\s*["']?)[^\s"',;]{4,}/gi, '$1[redacted]'],
]

export function redactSecrets(text: string): string {
  let out = text
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
  return out
}
