/*
 * Gemini's function calls carry no id (ai.google.dev/gemini-api/docs/function-calling): ids are
 * made up as `call_<n>` (n counts the calls of one answer), unless Gemini sent an `id`. Thinking
 * models (Gemini 2.5, 3) attach a `thoughtSignature` to a call that must come back with it on the
 * next turn (ai.google.dev/gemini-api/docs/thought-signatures), and OpenAI's shape has nowhere to
 * keep it but the id: it rides in the id as `call_<n>__ts_<base64url>`. Results are matched back
 * to their call by this id, through the assistant message that made the call.
 */
const SIGNED = /^(.*)__ts_([A-Za-z0-9_-]+)$/

export function makeToolCallId(n: number, id: string | undefined, signature: string | undefined): string {
  const base = id ?? `call_${n}`
  if (!signature) return base
  return `${base}__ts_${Buffer.from(signature, 'base64').toString('base64url')}`
}

export function readToolCallId(id: string): { id: string; signature?: string } {
  const match = SIGNED.exec(id)
  if (!match) return { id }
  return { id: match[1]!, signature: Buffer.from(match[2]!, 'base64url').toString('base64') }
}
