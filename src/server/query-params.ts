import { GatewayError } from '../errors.js'
import { parseIsoTime } from './parse-iso-time.js'

/**
 * Query-string parameters, checked one by one: each bad or unknown parameter is a 400 that names
 * it, so a typo (`tennant=`) is an error rather than a silently unfiltered answer.
 */
export class QueryParams {
  readonly #values: Record<string, unknown>

  constructor(query: unknown, known: readonly string[]) {
    this.#values = (query ?? {}) as Record<string, unknown>
    for (const name of Object.keys(this.#values)) {
      if (!known.includes(name)) throw bad(name, `unknown parameter (known: ${known.join(', ')})`)
    }
  }

  text(name: string, maxLength = 256): string | undefined {
    const value = this.#values[name]
    if (value === undefined) return undefined
    if (typeof value !== 'string') throw bad(name, 'given more than once')
    if (value === '') throw bad(name, 'must not be empty')
    if (value.length > maxLength) throw bad(name, `longer than ${maxLength} characters`)
    return value
  }

  integer(name: string, min: number, max: number): number | undefined {
    const text = this.text(name, 16)
    if (text === undefined) return undefined
    const n = /^-?\d+$/.test(text) ? Number(text) : Number.NaN
    if (!Number.isSafeInteger(n) || n < min || n > max) throw bad(name, `expected an integer ${min}..${max}`)
    return n
  }

  /** An ISO 8601 date-time with a zone (`2026-11-29T10:00:00Z`) or epoch milliseconds. */
  time(name: string): number | undefined {
    const text = this.text(name, 64)
    if (text === undefined) return undefined
    if (/^\d{1,15}$/.test(text)) return Number(text)
    const ms = parseIsoTime(text)
    if (ms === undefined)
      throw bad(name, `expected an ISO date-time such as 2026-11-29T10:00:00Z, or epoch milliseconds`)
    return ms
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const text = this.text(name, 64)
    if (text === undefined) return undefined
    if (!values.includes(text as T)) throw bad(name, `expected one of ${values.join(', ')}`)
    return text as T
  }

  /** A comma-separated list, each item one of `values`, no repeats. */
  list<T extends string>(name: string, values: readonly T[]): T[] {
    const text = this.text(name, 256)
    if (text === undefined) return []
    const items = text.split(',').map((s) => s.trim())
    for (const item of items) {
      if (!values.includes(item as T)) throw bad(name, `"${item}" is not one of ${values.join(', ')}`)
    }
    if (new Set(items).size !== items.length) throw bad(name, 'lists an item twice')
    return items as T[]
  }
}

export function bad(param: string, message: string): GatewayError {
  return new GatewayError('bad_request', `${param}: ${message}`, { param })
}
