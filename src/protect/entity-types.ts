/** Entity types the built-in recognisers report. Custom recognisers add their own names. */
export const BUILTIN_ENTITY_TYPES = [
  'email',
  'phone',
  'card',
  'iban',
  'ssn_us',
  'nir_fr',
  'dni_es',
  'cf_it',
  'ip',
  'dob',
  'address',
  'person',
  'secret',
] as const

export type BuiltinEntityType = (typeof BUILTIN_ENTITY_TYPES)[number]

// `string & {}` keeps editor completion for the built-ins while allowing custom names.
export type EntityType = BuiltinEntityType | (string & {})

/**
 * A span of the scanned text. Offsets only: a finding never carries a copy of the value, so it can
 * be logged or counted without leaking what it points at.
 */
export interface Finding {
  type: EntityType
  start: number
  end: number
  score?: number
  /** The recogniser that matched, e.g. `github-pat` for a secret; never part of the value. */
  rule?: string
}

/** Types whose targets are exact (checksummed or syntactic) and held to the strict recall target. */
export const STRUCTURED_TYPES: readonly BuiltinEntityType[] = [
  'email',
  'card',
  'iban',
  'phone',
  'ssn_us',
  'nir_fr',
  'ip',
]
