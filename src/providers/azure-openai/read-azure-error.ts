import type { ProviderErrorDetail } from '../shared/upstream-error.js'
import { readOpenAIError } from '../shared/upstream-error.js'

/**
 * Azure's error body is OpenAI's plus `innererror`: a prompt refused by the content filter is a
 * 400 with `code: content_filter` and `innererror.code: ResponsibleAIPolicyViolation`
 * (learn.microsoft.com, "Azure OpenAI content filtering"); some gateway errors carry the status
 * as `code` ("429", "401").
 */
export function readAzureError(body: unknown): ProviderErrorDetail {
  const detail = readOpenAIError(body)
  const error = (body as { error?: { innererror?: { code?: unknown } } } | null)?.error
  if (error && typeof error === 'object' && error.innererror?.code === 'ResponsibleAIPolicyViolation') {
    return { ...detail, failure: 'content_filter' }
  }
  return detail
}
