import type { ProviderErrorDetail } from '../shared/upstream-error.js'

/**
 * Mistral's error bodies (docs.mistral.ai/api): `{"object":"error","message","type","param",
 * "code"}`, where a validation failure (422) puts FastAPI's `{"detail":[{"loc","msg","type"}]}`
 * inside `message` or at the top level; the API front answers 401/429 with a bare `{"message"}`.
 * A prompt over the context window says "... too large for model with N maximum context length".
 */
export function readMistralError(body: unknown): ProviderErrorDetail {
  if (!body || typeof body !== 'object') return {}
  const record = body as Record<string, unknown>
  const message =
    describe(record['message']) ??
    describe(record['detail']) ??
    describe((record['error'] as { message?: unknown } | undefined)?.message)
  if (message === undefined) return {}
  if (/maximum context length|too large for model|context length/i.test(message)) {
    return { message, failure: 'context_length' }
  }
  return { message }
}

function describe(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) {
    const parts = value.map((item) => {
      const { loc, msg } = (item ?? {}) as { loc?: unknown; msg?: unknown }
      const where = Array.isArray(loc) ? loc.filter((p) => p !== 'body').join('.') : ''
      return `${where ? `${where}: ` : ''}${typeof msg === 'string' ? msg : JSON.stringify(msg)}`
    })
    return parts.join('; ')
  }
  if (value && typeof value === 'object' && 'detail' in value) return describe(value.detail)
  return undefined
}
