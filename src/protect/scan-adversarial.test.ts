import { describe, expect, it } from 'vitest'
import { createDetector } from './create-detector.js'

const detector = createDetector()

// Built-in patterns are JavaScript expressions over caller text: each shape below repeats what one
// of them looks for, 200 KB long, to show that no input makes a scan super-linear.
const ADVERSARIAL: Record<string, string> = {
  'digits and spaces': '1 2 3 4 5 6 7 8 9 0 '.repeat(10_000),
  'one long digit run': '4'.repeat(200_000),
  'dotted numbers': '1.2.3.4.'.repeat(25_000),
  'colons and hex': 'fe80:'.repeat(40_000),
  'at signs': 'a@b.'.repeat(50_000),
  'unterminated key blocks': '-----BEGIN RSA PRIVATE KEY-----\n'.repeat(6_000),
  'url schemes': 'x://a:b@'.repeat(25_000),
  'upper-case tokens': 'FR76ABCDEFGHIJKLMNOP '.repeat(10_000),
  'title cues': 'Mr Dear Mme Herr '.repeat(12_000),
  'street cues': '12 rue 5 Street Hauptstraße 5 Via '.repeat(6_000),
  'key words': 'password= token: secret='.repeat(8_000),
  'birth words': 'born DOB né le '.repeat(14_000),
}

describe('scan: adversarial inputs', () => {
  it.each(Object.entries(ADVERSARIAL))('%s: finishes in linear time', (_name, text) => {
    const t0 = performance.now()
    detector.scan(text)
    // About 200 KB: a few ms at the measured speed; 2 s leaves room for a loaded CI machine and
    // still fails on anything quadratic (hours at this size).
    expect(performance.now() - t0).toBeLessThan(2_000)
  })
})
