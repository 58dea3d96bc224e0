import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createDetector } from './create-detector.js'

const detector = createDetector()
/** [type, matched text] of every finding: what a reader checks. */
const found = (text: string): Array<[string, string]> =>
  detector.scan(text).map((f) => [f.type, text.slice(f.start, f.end)])

describe('createDetector: built-in recognisers', () => {
  it.each([
    ['email', 'Write to jean.dupont+news@mail.example.fr today.', 'jean.dupont+news@mail.example.fr'],
    ['phone', 'Tel: +33 6 12 34 56 78', '+33 6 12 34 56 78'],
    ['phone', 'Mon numéro : 06.12.34.56.78', '06.12.34.56.78'],
    ['phone', 'Erreichbar unter 030 12345678.', '030 12345678'],
    ['phone', 'Mi móvil es el 612 345 678.', '612 345 678'],
    ['phone', 'Il mio numero è +39 347 123 4567.', '+39 347 123 4567'],
    ['phone', 'Bel me op 06 12345678.', '06 12345678'],
    ['phone', 'Bel 0470 12 34 56.', '0470 12 34 56'],
    ['phone', 'Ring 07700 900123.', '07700 900123'],
    ['phone', 'Call (212) 555-0187 now', '(212) 555-0187'],
    ['card', 'Card 4242 4242 4242 4242 exp 09/27', '4242 4242 4242 4242'],
    ['card', 'Amex 3782 822463 10005.', '3782 822463 10005'],
    ['iban', 'IBAN FR14 2004 1010 0505 0001 3M02 606 EUR', 'FR14 2004 1010 0505 0001 3M02 606'],
    ['iban', 'to NL91ABNA0417164300.', 'NL91ABNA0417164300'],
    ['ssn_us', 'SSN 123-45-6789.', '123-45-6789'],
    ['ssn_us', 'my ssn: 123456789', '123456789'],
    ['nir_fr', 'NIR 2 55 08 14 168 025 38.', '2 55 08 14 168 025 38'],
    ['nir_fr', 'NIR 1 85 12 2A 123 456 48.', '1 85 12 2A 123 456 48'],
    ['dni_es', 'DNI 12345678Z.', '12345678Z'],
    ['dni_es', 'NIE X1234567L.', 'X1234567L'],
    ['cf_it', 'CF: RSSMRA85T10A562S', 'RSSMRA85T10A562S'],
    ['ip', 'from 203.0.113.195:443', '203.0.113.195'],
    ['ip', 'host 2001:db8:85a3::8a2e:370:7334 down', '2001:db8:85a3::8a2e:370:7334'],
    ['dob', 'Je suis né le 12 mars 1985 à Lyon.', '12 mars 1985'],
    ['dob', 'DOB: 1985-03-12', '1985-03-12'],
    ['person', 'My name is Jean Dupont.', 'Jean Dupont'],
    ['address', 'I live at 12 rue de la Paix, 75002 Paris.', '12 rue de la Paix, 75002 Paris'],
    ['address', 'Hauptstraße 5, 10115 Berlin', 'Hauptstraße 5, 10115 Berlin'],
    [
      'secret',
      'token ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    ],
    ['secret', 'key AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE'],
    ['secret', 'postgres://app:Tr0ub4dor@db:5432/x', 'Tr0ub4dor'],
    ['secret', 'DB_PASSWORD="hunter2hunter2"', 'hunter2hunter2'],
    ['secret', 'api_key = "Zx8Qm2Lp9Rt4Vw7Yb3Nc6Hd1"', 'Zx8Qm2Lp9Rt4Vw7Yb3Nc6Hd1'],
    ['secret', 'const clientSecret = "Zx8Qm2Lp9Rt4Vw7Yb3Nc6Hd1"', 'Zx8Qm2Lp9Rt4Vw7Yb3Nc6Hd1'],
    ['secret', 'dbpassword=Tr0ub4dor1', 'Tr0ub4dor1'],
    ['address', 'Kerkstraat 12, 1017 GC Amsterdam', 'Kerkstraat 12, 1017 GC Amsterdam'],
    ['person', 'Sehr geehrte Frau Müller, danke', 'Müller'],
    ['dob', 'DATE OF BIRTH: 01/02/1980', '01/02/1980'],
  ])('%s in %j', (type, text, value) => {
    expect(found(text)).toContainEqual([type, value])
  })

  it('finds a private key block and a JWT whole', () => {
    const key = `-----BEGIN RSA PRIVATE KEY-----\n${'A'.repeat(64)}\n${'b'.repeat(64)}\n-----END RSA PRIVATE KEY-----`
    expect(found(`here:\n${key}\nthanks`)).toEqual([['secret', key]])
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'
    expect(found(`Bearer ${jwt}`)).toEqual([['secret', jwt]])
  })

  it.each([
    'Order #4242424242424242 shipped',
    'Card 4242 4242 4242 4241 declined',
    'IBAN GB82 WEST 1234 5698 7654 33 rejected',
    'Upgrade to v1.2.3.4 or version 10.0.19041.1',
    'request_id=550e8400-e29b-41d4-a716-446655440000',
    'commit 3f9e8c1d2b4a5e6f7a8b9c0d1e2f3a4b5c6d7e8f',
    '2025-03-14 10:30:00 INFO took 120ms',
    'Total: 1 234 567 EUR, or $12,345.67',
    'The meeting is on 12/03/2025.',
    'SSN 666-12-3456 is not valid',
    'Password is required.',
    'postgres://user:${DB_PASS}@localhost/db',
    'MAC 00:1a:2b:3c:4d:5e on eth0',
  ])('reports nothing in %j', (text) => {
    expect(found(text)).toEqual([])
  })

  it('returns sorted, non-overlapping findings that slice back to the text', () => {
    const text = 'Mail a@example.com, call +44 20 7946 0958, pay FR14 2004 1010 0505 0001 3M02 606.'
    const findings = detector.scan(text)
    expect(findings.map((f) => f.type)).toEqual(['email', 'phone', 'iban'])
    for (let i = 1; i < findings.length; i++)
      expect(findings[i]?.start).toBeGreaterThanOrEqual(findings[i - 1]?.end ?? 0)
  })

  it('never throws on arbitrary unicode, and every finding lies inside the text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        (a, b) => {
          const text = `${a} 4242 4242 4242 4242 ${b} x@example.com`
          for (const f of detector.scan(text)) {
            expect(f.start).toBeGreaterThanOrEqual(0)
            expect(f.end).toBeLessThanOrEqual(text.length)
            expect(f.end).toBeGreaterThan(f.start)
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('rejects a non-string', () => {
    expect(() => detector.scan(42 as unknown as string)).toThrow(TypeError)
  })
})
