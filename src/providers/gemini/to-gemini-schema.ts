import { GatewayError } from '../../errors.js'

type Schema = Record<string, unknown>

/*
 * JSON Schema -> the OpenAPI 3.0 subset Gemini's `Schema` object takes (ai.google.dev/api/caching#Schema,
 * also Vertex AI's): the keywords in KEEP pass through; annotations Gemini cannot express are
 * stripped (STRIP: `additionalProperties` among them, so "no extra keys" is not enforced by Gemini);
 * `type: [T, "null"]` becomes `nullable`, `const` a one-value `enum`, `oneOf` an `anyOf`, and local
 * `$ref`s (`#/$defs/...`, `#/definitions/...`) are inlined. Anything else (`allOf`, `not`,
 * `patternProperties`, recursive `$ref`, ...) is a 400 that names the keyword and where it is.
 */
const KEEP = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'propertyOrdering',
  'default',
  'minimum',
  'maximum',
  'required',
])
const STRIP = new Set([
  '$schema',
  '$id',
  '$comment',
  '$defs',
  'definitions',
  'additionalProperties',
  'unevaluatedProperties',
  'examples',
  'strict',
  'readOnly',
  'writeOnly',
  'deprecated',
])
const MAX_DEPTH = 64

export function toGeminiSchema(schema: unknown, where: string): Schema {
  return convert(schema, { root: schema as Schema, where, refs: [] }, 0)
}

interface Walk {
  root: Schema
  where: string
  /** `$ref`s being inlined above this node, to refuse recursion. */
  refs: string[]
}

function convert(node: unknown, walk: Walk, depth: number): Schema {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    throw unsupported(walk.where, 'a schema must be an object')
  }
  if (depth > MAX_DEPTH) throw unsupported(walk.where, 'the schema nests too deeply')
  const schema = node as Schema
  if (typeof schema['$ref'] === 'string') return inlineRef(schema['$ref'], walk, depth)
  const out: Schema = {}
  for (const [key, value] of Object.entries(schema)) {
    const at = { ...walk, where: `${walk.where}.${key}` }
    if (KEEP.has(key)) out[key] = value
    else if (STRIP.has(key)) continue
    else if (key === 'properties') out[key] = mapValues(value, at, depth)
    else if (key === 'items') out[key] = convert(value, at, depth + 1)
    else if (key === 'anyOf' || key === 'oneOf') out['anyOf'] = mapList(value, at, depth)
    else if (key === 'const') out['enum'] = [value]
    else throw unsupported(walk.where, `keyword "${key}" is not supported`)
  }
  if (Array.isArray(out['type'])) {
    const types = (out['type'] as unknown[]).filter((t) => t !== 'null')
    if (types.length !== 1)
      throw unsupported(walk.where, 'a type list must be one type, optionally with "null"')
    if (types.length < (out['type'] as unknown[]).length) out['nullable'] = true
    out['type'] = types[0]
  }
  return out
}

function inlineRef(ref: string, walk: Walk, depth: number): Schema {
  const match = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref)
  const target = match ? (walk.root[match[1]!] as Schema | undefined)?.[match[2]!] : undefined
  if (target === undefined) throw unsupported(walk.where, `$ref "${ref}" is not a local #/$defs reference`)
  if (walk.refs.includes(ref)) throw unsupported(walk.where, `$ref "${ref}" is recursive`)
  return convert(target, { ...walk, refs: [...walk.refs, ref] }, depth + 1)
}

function mapValues(value: unknown, walk: Walk, depth: number): Schema {
  if (value === null || typeof value !== 'object') throw unsupported(walk.where, 'must be an object')
  const out: Schema = {}
  for (const [name, sub] of Object.entries(value)) {
    out[name] = convert(sub, { ...walk, where: `${walk.where}.${name}` }, depth + 1)
  }
  return out
}

function mapList(value: unknown, walk: Walk, depth: number): Schema[] {
  if (!Array.isArray(value)) throw unsupported(walk.where, 'must be a list of schemas')
  return value.map((sub, i) => convert(sub, { ...walk, where: `${walk.where}[${i}]` }, depth + 1))
}

function unsupported(where: string, why: string): GatewayError {
  return new GatewayError(
    'unsupported_operation',
    `Gemini cannot take this JSON schema: ${why} (at ${where}).`,
    {
      param: where,
    },
  )
}
