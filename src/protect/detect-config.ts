import { createRequire } from 'node:module'
import type RE2Type from 're2'
import { z } from 'zod'
import { checksums } from './checksums.js'
import { BUILTIN_ENTITY_TYPES } from './entity-types.js'

const CHECKSUM_NAMES = Object.keys(checksums) as [keyof typeof checksums, ...(keyof typeof checksums)[]]

// RE2 (a native addon, about 3 MB) is loaded by the first pattern to check: every config is
// validated with this schema, and most have no pattern at all.
const require = createRequire(import.meta.url)
let RE2: typeof RE2Type | undefined

/** Why an RE2 pattern does not compile, or undefined when it does. */
export const compiles = (source: string, flags: string): string | undefined => {
  RE2 ??= require('re2') as typeof RE2Type
  try {
    new RE2(source, flags)
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}

const customSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, {
        error: 'expected a lower-case name of letters, digits and _ (e.g. employee_id)',
      })
      .refine((n) => !(BUILTIN_ENTITY_TYPES as readonly string[]).includes(n), {
        error: `must not reuse a built-in type (${BUILTIN_ENTITY_TYPES.join(', ')})`,
      }),
    pattern: z.string().min(1).max(2000),
    /** RE2 flags: i (case-insensitive), m (multi-line), s (dot matches newline), u (unicode). */
    flags: z
      .string()
      .regex(/^[imsu]*$/, { error: 'expected RE2 flags among i, m, s, u' })
      .default(''),
    validator: z.enum(CHECKSUM_NAMES, { error: `expected one of ${CHECKSUM_NAMES.join(', ')}` }).optional(),
    context: z
      .object({
        words: z.array(z.string().min(1)).min(1),
        window_chars: z.number().int().min(1).max(1000).default(40),
        required: z.boolean().default(false),
      })
      .strict()
      .optional(),
    score: z.number().min(0).max(1).default(0.6),
  })
  .strict()
  .superRefine((c, ctx) => {
    const problem = compiles(c.pattern, c.flags)
    if (problem) {
      ctx.addIssue({
        code: 'custom',
        path: ['pattern'],
        message: `not a valid RE2 pattern (${problem}); RE2 has no backreferences or lookaround`,
      })
    }
  })

/** `protect.detect`: which built-ins run, custom recognisers, allow and deny lists, offloading. */
export const detectConfigSchema = z
  .object({
    /** Built-in types to report; all by default. */
    entities: z.array(z.enum(BUILTIN_ENTITY_TYPES)).default([...BUILTIN_ENTITY_TYPES]),
    custom: z.array(customSchema).default([]),
    /** Values never reported, compared exactly (e.g. the company's own switchboard number). */
    allow: z.array(z.string().min(1)).default([]),
    /** Values always reported wherever they appear, case-insensitively (code names, client names). */
    deny: z
      .array(
        z
          .object({
            value: z.string().min(1).max(200),
            type: z
              .string()
              .regex(/^[a-z][a-z0-9_]{0,39}$/)
              .default('denied'),
          })
          .strict(),
      )
      .default([]),
    /** Texts longer than this (UTF-16 code units) are scanned off the event loop by `scanAsync`. */
    async_threshold_chars: z.number().int().min(1024).default(65_536),
    /** Worker threads for `scanAsync`, created on first use. */
    workers: z.number().int().min(1).max(16).default(1),
  })
  .strict()

export type DetectConfig = z.infer<typeof detectConfigSchema>
export type DetectConfigInput = z.input<typeof detectConfigSchema>
export type CustomRecogniserConfig = z.infer<typeof customSchema>

/** Validates a detect config; every error names its key path under `prefix`. */
export const parseDetectConfig = (
  input: unknown,
  prefix = 'protect.detect',
): { ok: true; config: DetectConfig } | { ok: false; errors: string[] } => {
  const parsed = detectConfigSchema.safeParse(input ?? {})
  if (parsed.success) return { ok: true, config: parsed.data }
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => {
      const where = issue.path.reduce<string>(
        (out, part) => (typeof part === 'number' ? `${out}[${part}]` : `${out}.${String(part)}`),
        prefix,
      )
      const detail =
        issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message
      return `${where}: ${detail}`
    }),
  }
}
