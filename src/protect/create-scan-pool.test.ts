import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDetector, type Detector } from './create-detector.js'

// The worker runs compiled JavaScript: `npm test` builds first; alone, run `npm run build`.
const workerUrl = new URL('../../dist/src/protect/scan-worker.js', import.meta.url)

const sample = [
  'Contact jean.dupont@example.fr or +33 6 12 34 56 78.',
  'IBAN FR14 2004 1010 0505 0001 3M02 606, card 4242 4242 4242 4242.',
  'ghp_abcdefghijklmnopqrstuvwxyz0123456789 and 203.0.113.7',
  'Nothing to see here, only prose about quarterly planning and the roadmap.',
].join('\n')

describe('scanAsync', () => {
  let detector: Detector
  beforeAll(() => {
    if (!existsSync(workerUrl))
      throw new Error('dist/ is missing: run `npm run build` before the scan worker tests')
    detector = createDetector({ async_threshold_chars: 1024, workers: 2 }, { workerUrl })
  })
  afterAll(() => detector.close())

  it('returns the same findings from a worker as inline, for concurrent large texts', async () => {
    const texts = [1, 2, 3].map((n) => `${sample}\n`.repeat(40 * n))
    const results = await Promise.all(texts.map((t) => detector.scanAsync(t)))
    for (const [i, t] of texts.entries()) {
      expect(results[i]).toEqual(detector.scan(t))
      expect(results[i]?.length).toBeGreaterThan(40)
    }
  })

  it('scans small texts inline, without a worker', async () => {
    const inline = createDetector({}, { workerUrl: new URL('file:///nonexistent/worker.js') })
    expect(await inline.scanAsync(sample)).toEqual(inline.scan(sample))
    await inline.close()
  })

  it('starts a new pool when used after close', async () => {
    const d = createDetector({ async_threshold_chars: 1024 }, { workerUrl })
    await d.scanAsync(sample.repeat(30))
    await d.close()
    // close() forgets the pool: a later call starts a new one rather than failing forever.
    expect((await d.scanAsync(sample.repeat(30))).length).toBeGreaterThan(0)
    await d.close()
  })
})

describe('scanAsync without a usable worker', () => {
  it('rejects instead of hanging when the worker cannot start', async () => {
    const broken = createDetector(
      { async_threshold_chars: 1024 },
      { workerUrl: new URL('../../dist/no-such-worker.js', import.meta.url) },
    )
    await expect(broken.scanAsync('x'.repeat(5000))).rejects.toThrow()
    await broken.close()
  })
})
