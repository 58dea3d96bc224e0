import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readSse } from './sse.js'

async function* pieces(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  const points = [...new Set([0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length])].sort(
    (a, b) => a - b,
  )
  for (let i = 0; i + 1 < points.length; i++) yield bytes.subarray(points[i], points[i + 1])
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = []
  for await (const event of readSse(source)) out.push(event.data)
  return out
}

describe('readSse', () => {
  it('yields the same events however the bytes are split (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => JSON.stringify({ text: s })),
          { minLength: 1, maxLength: 12 },
        ),
        fc.array(fc.nat({ max: 4000 }), { maxLength: 40 }),
        fc.constantFrom('\n', '\r\n'),
        async (datas, cuts, eol) => {
          const text = datas.map((d) => `data: ${d}${eol}${eol}`).join('')
          const events = await collect(pieces(new TextEncoder().encode(text), cuts))
          expect(events).toEqual(datas)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('ignores comments and keep-alive lines, joins multi-line data', async () => {
    const text = ': keep-alive\n\nevent: message\ndata: a\ndata: b\n\nid: 7\ndata: c\n\n'
    expect(await collect(pieces(new TextEncoder().encode(text), [3, 20]))).toEqual(['a\nb', 'c'])
  })

  it('drops an event cut before its blank line', async () => {
    const text = 'data: {"a":1}\n\ndata: {"b":'
    expect(await collect(pieces(new TextEncoder().encode(text), []))).toEqual(['{"a":1}'])
  })
})
