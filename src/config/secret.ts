import { inspect } from 'node:util'
import { z } from 'zod'

const REDACTED = '[redacted]'

/**
 * A credential read from config. It prints as `[redacted]` through `JSON.stringify`, `util.inspect`
 * (and so pino and console) and string coercion; only `reveal()` gives the value, at the point where
 * it goes on the wire.
 */
export class Secret {
  readonly #value: string

  constructor(value: string) {
    this.#value = value
  }

  reveal(): string {
    return this.#value
  }

  toJSON(): string {
    return REDACTED
  }

  toString(): string {
    return REDACTED
  }

  [inspect.custom](): string {
    return REDACTED
  }
}

/** A config value that is a credential: non-empty, and kept as a `Secret` from parsing on. */
export const secretSchema = z
  .string()
  .min(1, 'must not be empty')
  .transform((value) => new Secret(value))
