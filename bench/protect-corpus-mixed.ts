import type { CorpusRecord } from './protect-corpus.js'
import { fill } from './protect-corpus.js'
import * as v from './protect-corpus-values.js'
import { int, pick, type Rng } from './protect-corpus-values.js'

/**
 * Several entities per text in the layouts prompts carry them (signatures, tickets, CSV, JSON,
 * logs, chat). Written after the single-entity templates and not tuned against the detector: the
 * part of the corpus closest to held-out data.
 */
type Maker = (r: Rng, name: string, email: string) => { text: string; spans: CorpusRecord['spans'] }

const MAKERS: Maker[] = [
  (r, name, email) => {
    const phone = v.phone(r).value
    return fill(
      `Thanks again,\n\n--\n${pick(r, ['Regards', 'Best regards'])},\n{v}\nAccount manager\nM: {w}\nE: {w}`,
      [
        ['person', name],
        ['phone', phone],
        ['email', email],
      ],
    )
  },
  (r, _name, email) =>
    fill('email,iban,amount\n{v},{w},1200.50\n', [
      ['email', email],
      ['iban', v.iban(r, pick(r, ['FR', 'DE', 'ES', 'IT', 'NL', 'BE']))],
    ]),
  (r, _name, email) =>
    fill('{"customer":{"email":"{v}","card":"{w}","ip":"{w}"},"total":99.9}', [
      ['email', email],
      ['card', v.card(r).replace(/[ -]/g, '')],
      ['ip', v.ipv4(r)],
    ]),
  (r) =>
    fill(
      `${int(r, 10, 28)}/Mar/2025:10:${int(r, 10, 59)}:01 +0000 {v} - - "POST /login HTTP/1.1" 401 512 user={w}`,
      [
        ['ip', v.ipv4(r)],
        ['email', `ops${int(r, 1, 99)}@example.org`],
      ],
    ),
  (r, name) =>
    fill(
      `Ticket #${int(r, 10000, 99999)}: customer {v} (SSN {w}) says the refund to card ending ${int(r, 1000, 9999)} never arrived. Callback: {w}.`,
      [
        ['person', name],
        ['ssn_us', v.ssn(r)],
        ['phone', v.phone(r).value],
      ],
    ),
  (r, name) =>
    fill(
      'Madame, Monsieur,\nJe soussignée {v}, née le {w}, NIR {w}, demeurant {w}, demande le remboursement.',
      [
        ['person', name],
        ['dob', `${int(r, 1, 28)}/${int(r, 1, 12)}/${int(r, 1950, 2000)}`],
        ['nir_fr', v.nir(r)],
        [
          'address',
          `${int(r, 1, 99)} rue ${pick(r, ['Nationale', 'de Rivoli', 'Pasteur'])}, ${int(r, 10, 95)}000 ${pick(r, ['Lyon', 'Nantes'])}`,
        ],
      ],
    ),
  (r) =>
    fill('DNI: {v} | NIE del cónyuge: {w} | Tel. {w}', [
      ['dni_es', v.dni(r)],
      ['dni_es', v.dni(r, true)],
      ['phone', `+34 6${int(r, 10, 99)} ${int(r, 100, 999)} ${int(r, 100, 999)}`],
    ]),
  (r) =>
    fill('Dati: codice fiscale {v}, IBAN {w}, cellulare {w}.', [
      ['cf_it', v.codiceFiscale(r)],
      ['iban', v.iban(r, 'IT')],
      ['phone', `+39 3${int(r, 10, 99)} ${int(r, 100, 999)} ${int(r, 1000, 9999)}`],
    ]),
  (r) =>
    fill(
      '```env\nDATABASE_URL=postgres://app:{v}@db.internal:5432/app\nSTRIPE_KEY={w}\nDEBUG=false\n```\nwhy does it crash?',
      [
        ['secret', v.token(r, v.ALNUM, 16)],
        ['secret', `sk_live_${v.token(r, v.ALNUM, 24)}`],
      ],
    ),
  (r, name, email) =>
    fill('user: hi, I am {v}, my email is {w} and my number is {w}, can you update my profile?', [
      ['person', name],
      ['email', email],
      ['phone', v.phone(r).value],
    ]),
]

export const buildMixed = (
  r: Rng,
  count: number,
  person: (r: Rng) => string,
  email: (r: Rng) => string,
): CorpusRecord[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `mixed-${i}`,
    source: 'generated' as const,
    ...pick(r, MAKERS)(r, person(r), email(r)),
  }))
