import type { ChatBody, ChatMessage, ContentPart } from '../providers/types.js'

/** The one call of gpt-tokenizer's encoding API the estimator needs. */
export interface Tokenizer {
  countTokens(text: string): number
}

export interface TokenEstimator {
  /** Prompt tokens of a chat request, counted with o200k_base (the GPT-4o family) as OpenAI does. */
  countChatInput(body: ChatBody): Promise<number>
  countText(text: string): Promise<number>
}

export interface TokenEstimatorOptions {
  /** Where the tokenizer comes from; by default gpt-tokenizer's o200k_base, imported on first use. */
  loadTokenizer?: () => Promise<Tokenizer>
}

// OpenAI's chat accounting, from the cookbook "How to count tokens with tiktoken" (section 6, whose
// function matches the API's usage.prompt_tokens for gpt-4o and gpt-4o-mini): each message costs 3
// tokens of framing (<|start|>{role}<|message|>…<|end|>) plus its values; a name costs 1 more; the
// reply is primed with 3 (<|start|>assistant<|message|>).
const MESSAGE_OVERHEAD_TOKENS = 3
const NAME_OVERHEAD_TOKENS = 1
const REPLY_PRIMING_TOKENS = 3
// Tool definitions reach the model rendered as TypeScript-like declarations; we count their JSON
// instead, which is longer for every real tool (the cookbook's weather tool: 86 tokens of JSON, 68
// by the API: its 101 less 33 for the messages), plus the closing overhead the cookbook measured
// for gpt-4o (`func_end`), so that a tiny definition is not counted below the API either.
const TOOLS_OVERHEAD_TOKENS = 12

// Images are not tokenized from their URL or bytes. OpenAI's vision pricing ("Images and vision",
// Calculating costs, https://platform.openai.com/docs/guides/images-vision#calculating-costs):
// GPT-4o-class models charge 85 tokens for `detail: low`; for high (and auto) 85 plus 170 per
// 512-px tile, which is 765 for a 1024×1024 image, our estimate since the size is unknown here.
const IMAGE_LOW_TOKENS = 85
const IMAGE_HIGH_TOKENS = 765
// The most one image can cost a GPT-4o-class model: fit in 2048×2048, shortest side scaled to 768,
// so 768×2048 is 2×4 tiles, 85 + 8 × 170 = 1,445; patch-based models (gpt-4.1-mini, o4-mini) cap an
// image at 1,536 patches before their billing multiplier. Not covered: gpt-4o-mini, which reports
// an image as 2,833 + 5,667 per tile, up to ~48k prompt tokens.
const IMAGE_MAX_TOKENS = 1536

/** How one walk over the request turns its pieces into tokens: exactly, or as an upper bound. */
interface Measure {
  text(text: string): number
  image(detail: unknown): number
}

const BOUND: Measure = {
  // No o200k or cl100k token is shorter than one UTF-8 byte, so bytes never undercount.
  text: (text) => Buffer.byteLength(text, 'utf8'),
  image: () => IMAGE_MAX_TOKENS,
}

/**
 * An upper bound on the prompt's input tokens, without a tokenizer: the same accounting as
 * `countChatInput` with UTF-8 bytes for tokens and the largest image allowance, so never below it.
 * Cheap enough to run on every request to skip exact counting when every window is large enough.
 */
export function upperBoundTokens(body: ChatBody): number {
  return countChat(body, BOUND)
}

/** Exact counts for the GPT-4o family; the tokenizer is imported on the first count, not before. */
export function createTokenEstimator(options: TokenEstimatorOptions = {}): TokenEstimator {
  const load = options.loadTokenizer ?? loadO200k
  let loading: Promise<Tokenizer> | undefined
  const tokenizer = (): Promise<Tokenizer> => {
    loading ??= load().catch((err: unknown) => {
      // A failed import is retried by the next count instead of failing every count after it.
      loading = undefined
      throw err
    })
    return loading
  }
  return {
    async countChatInput(body) {
      const { countTokens } = await tokenizer()
      return countChat(body, { text: countTokens, image: imageTokens })
    },
    async countText(text) {
      return (await tokenizer()).countTokens(text)
    },
  }
}

async function loadO200k(): Promise<Tokenizer> {
  // Loading builds the 200k-entry vocabulary: ~0.5 s and 40–65 MB of RSS, which most requests
  // never need, hence the dynamic import.
  const o200k = await import('gpt-tokenizer/encoding/o200k_base')
  // Callers may send text such as "<|endoftext|>"; the API reads it as plain text, while
  // gpt-tokenizer throws on special tokens unless told to allow none of them.
  const plainText = { disallowedSpecial: new Set<string>() }
  return {
    countTokens(text) {
      if (text.length <= EXACT_LIMIT_CHARS) return o200k.countTokens(text, plainText)
      // Exact counting grows with the text and blocks the event loop (seconds for a megabyte of
      // base64): count a sample exactly and extrapolate its tokens-per-character ratio.
      const sample = o200k.countTokens(text.slice(0, EXACT_LIMIT_CHARS), plainText)
      return Math.ceil((sample / EXACT_LIMIT_CHARS) * text.length)
    },
  }
}

/** Above this many characters a text's count is extrapolated from its first part. */
const EXACT_LIMIT_CHARS = 16_384

function countChat(body: ChatBody, measure: Measure): number {
  let total = REPLY_PRIMING_TOKENS
  for (const message of body.messages) total += countMessage(message, measure)
  for (const key of ['tools', 'functions']) {
    const definitions = body[key]
    if (Array.isArray(definitions) && definitions.length > 0) {
      total += TOOLS_OVERHEAD_TOKENS + measure.text(JSON.stringify(definitions))
    }
  }
  // A forced tool choice and a structured-output schema are rendered into the prompt as well.
  for (const key of ['tool_choice', 'function_call', 'response_format']) {
    const value = body[key]
    if (value !== null && typeof value === 'object') total += measure.text(JSON.stringify(value))
  }
  return total
}

function countMessage(message: ChatMessage, measure: Measure): number {
  let total = MESSAGE_OVERHEAD_TOKENS
  // As the cookbook does: every value of the message counts (role, name, tool_call_id, …).
  for (const [key, value] of Object.entries(message)) {
    if (value === undefined || value === null) continue
    if (key === 'content') total += countContent(value, measure)
    else if (typeof value === 'string') total += measure.text(value)
    // tool_calls, a legacy function_call, audio references: counted as the JSON we forward.
    else total += measure.text(JSON.stringify(value))
    if (key === 'name') total += NAME_OVERHEAD_TOKENS
  }
  return total
}

function countContent(content: unknown, measure: Measure): number {
  if (typeof content === 'string') return measure.text(content)
  if (!Array.isArray(content)) return measure.text(JSON.stringify(content))
  let total = 0
  for (const part of content as ContentPart[]) {
    const fields = part as Record<string, unknown>
    if (part.type === 'text' && typeof fields['text'] === 'string') total += measure.text(fields['text'])
    else if (part.type === 'image_url')
      total += measure.image((fields['image_url'] as { detail?: unknown })?.detail)
    // Audio and file parts have no token price we could apply before the call. Their JSON's UTF-8
    // bytes (base64 payload included) overcount them, in both walks alike; tokenizing it would be
    // no truer and takes seconds per megabyte of base64.
    else total += Buffer.byteLength(JSON.stringify(part), 'utf8')
  }
  return total
}

function imageTokens(detail: unknown): number {
  return detail === 'low' ? IMAGE_LOW_TOKENS : IMAGE_HIGH_TOKENS
}
