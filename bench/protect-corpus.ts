/**
 * Builds the labelled corpus for `npm run bench:protect` and the corpus test:
 * `npm run build && node dist/bench/protect-corpus.js` rewrites test/fixtures/protect/corpus.jsonl.
 * Deterministic (seeded); the file is committed so the metrics are reviewable and stable.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { buildMixed } from './protect-corpus-mixed.js'
import { buildNegatives } from './protect-corpus-negatives.js'
import {
  AWS_SECRET,
  highEntropy,
  KEYWORD_TEMPLATES,
  PASSWORD_TEMPLATES,
  password,
  SECRET_MAKERS,
  SECRET_TEMPLATES,
} from './protect-corpus-secrets.js'
import * as v from './protect-corpus-values.js'
import { int, pick, type Rng } from './protect-corpus-values.js'

export interface Span {
  type: string
  start: number
  end: number
}
export interface CorpusRecord {
  id: string
  source: 'generated' | 'public'
  text: string
  spans: Span[]
}

/** `{v}` in a template becomes the labelled value; `{w}` a second one of another type. */
export const fill = (template: string, values: Array<[string, string]>): { text: string; spans: Span[] } => {
  let text = ''
  const spans: Span[] = []
  let k = 0
  for (const part of template.split(/(\{[vw]\})/)) {
    if (part === '{v}' || part === '{w}') {
      const [type, value] = values[k++] ?? ['', '']
      spans.push({ type, start: text.length, end: text.length + value.length })
      text += value
    } else text += part
  }
  return { text, spans }
}

const FIRST = [
  'Jean',
  'Marie',
  'Lukas',
  'Anna',
  'Sofía',
  'Javier',
  'Giulia',
  'Marco',
  'Daan',
  'Emma',
  'Oliver',
  'Amelia',
  'James',
  'Olivia',
  'Élodie',
  'Jürgen',
]
const LAST = [
  'Dupont',
  'Martin',
  'Müller',
  'Schmidt',
  'García',
  'Fernández',
  'Rossi',
  'Bianchi',
  'de Vries',
  'Janssens',
  'Smith',
  'Jones',
  'Johnson',
  'Williams',
  'Lefèvre',
  'Peeters',
]
const DOMAINS = [
  'example.com',
  'example.org',
  'mail.example.fr',
  'example.de',
  'corp.example.co.uk',
  'example.es',
  'example.it',
  'example.nl',
  'example.be',
]
const name = (r: Rng): string => `${pick(r, FIRST)} ${pick(r, LAST)}`
const email = (r: Rng): string => {
  const local = `${pick(r, FIRST)}.${pick(r, LAST)}`
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z.]/g, '')
  return `${local}${pick(r, ['', '+news', String(int(r, 1, 99)), '_ops'])}@${pick(r, DOMAINS)}`
}

const T: Record<string, readonly string[]> = {
  email: [
    'Write to {v} for access.',
    'Contactez {v} avant lundi.',
    'Bitte an {v} senden.',
    'Escribe a {v}, por favor.',
    'Scrivi a {v} entro venerdì.',
    'From: {v}\nSubject: invoice',
    'cc {v}; bcc ops',
  ],
  phone: [
    'Call me at {v} tomorrow.',
    'Tel: {v}',
    'Mon numéro : {v}',
    'Erreichbar unter {v}.',
    'Mi móvil es el {v}.',
    'Il mio numero è {v}.',
    'Bel me op {v} na vijf uur.',
    'You can reach her on {v} after 5pm.',
    '{v}',
  ],
  card: [
    'My card is {v}, exp 09/27.',
    'Numéro de carte : {v}',
    'Kartennummer {v} wurde abgelehnt.',
    'pay with {v} please',
    'card_number={v}',
  ],
  iban: [
    'Please wire it to {v}.',
    'IBAN : {v}',
    'Überweisung auf {v} bis Freitag.',
    'Mi cuenta es {v}.',
    'iban={v}; bic=EXAMPLEXXX',
  ],
  ssn_us: ['My SSN is {v}.', 'Social security number: {v}', 'ssn={v}', 'SSN {v} on the W-2 form.'],
  nir_fr: ['Mon numéro de sécu est {v}.', 'NIR : {v}', 'Numéro de sécurité sociale {v} pour le dossier.'],
  dni_es: ['Mi DNI es {v}.', 'NIE: {v}', 'Documento {v} caducado.'],
  cf_it: ['Il mio codice fiscale è {v}.', 'CF: {v}', 'codice_fiscale={v}'],
  ip: [
    'Connection refused from {v}.',
    'The server at {v} is down.',
    'allow {v} in the firewall',
    'ssh admin@{v}? no, use the bastion',
    'client_ip={v} status=403',
  ],
  dob: [
    'I was born on {v}.',
    'DOB: {v}',
    'Date of birth: {v}',
    'Je suis né le {v}.',
    'Elle est née le {v} à Lyon.',
    'Geboren am {v} in Köln.',
    'Nacido el {v}.',
    'Nata il {v}.',
    'Geboortedatum: {v}',
  ],
  person: [
    'My name is {v}.',
    'Dear {v},',
    'Mr {v} called about the claim.',
    'Patient: {v}, age 54.',
    'Je m’appelle {v}.',
    'Ich heiße {v}.',
    'Me llamo {v}.',
    'Mi chiamo {v}.',
    'Best regards,\n{v}',
    'Signed: {v}',
  ],
  person_bare: [
    '{v} joined the call late.',
    'Ask {v} about the budget.',
    'The report was written by {v} last year.',
  ],
}

const date = (r: Rng): string => {
  const d = int(r, 1, 28)
  const m = int(r, 1, 12)
  const y = int(r, 1940, 2005)
  const months = [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ]
  return pick(r, [
    `${d}/${m}/${y}`,
    `${String(d).padStart(2, '0')}.${String(m).padStart(2, '0')}.${y}`,
    `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    `${d} ${months[m - 1]} ${y}`,
    `${months[m - 1]} ${d}, ${y}`,
  ])
}

const ADDRESSES: Array<(r: Rng) => string> = [
  (r) =>
    `${int(r, 1, 200)} rue ${pick(r, ['de la Paix', 'Victor Hugo', 'du Faubourg Saint-Honoré', 'des Lilas'])}, ${int(r, 10, 95)}0${int(r, 10, 99)} ${pick(r, ['Paris', 'Lyon', 'Lille'])}`,
  (r) => `${int(r, 1, 90)} avenue ${pick(r, ['Jean Jaurès', 'de la République', 'Foch'])}`,
  (r) =>
    `${pick(r, ['Hauptstraße', 'Bahnhofstraße', 'Lindenweg', 'Marktplatz'])} ${int(r, 1, 120)}, ${int(r, 10000, 99999)} ${pick(r, ['Berlin', 'München', 'Köln'])}`,
  (r) =>
    `Calle ${pick(r, ['Mayor', 'de Alcalá', 'Gran Vía'])} ${int(r, 1, 150)}, ${int(r, 10000, 52999)} ${pick(r, ['Madrid', 'Sevilla'])}`,
  (r) =>
    `Via ${pick(r, ['Roma', 'Garibaldi', 'del Corso'])} ${int(r, 1, 150)}, ${int(r, 10000, 98000)} ${pick(r, ['Milano', 'Roma', 'Torino'])}`,
  (r) =>
    `${pick(r, ['Keizersgracht', 'Damstraat', 'Kerkstraat'])} ${int(r, 1, 400)}, ${int(r, 1000, 9999)} ${pick(r, ['AB', 'CJ', 'XK'])} ${pick(r, ['Amsterdam', 'Utrecht'])}`,
  (r) =>
    `${int(r, 1, 9999)} ${pick(r, ['Baker', 'Main', 'Oak', 'Maple'])} ${pick(r, ['Street', 'Road', 'Avenue', 'Lane'])}, ${pick(r, ['Springfield', 'London', 'Boston'])}`,
  (r) =>
    `${pick(r, ['Rue Haute', 'Chaussée de Wavre'])} ${int(r, 1, 300)}, ${int(r, 1000, 9999)} ${pick(r, ['Bruxelles', 'Namur'])}`,
]
const ADDRESS_T = [
  'I live at {v}.',
  'Adresse : {v}',
  'Lieferadresse: {v}',
  'Envíalo a {v}.',
  'Spedire a {v}.',
  'Ship to {v}, ring twice.',
]

const make: Record<string, (r: Rng) => string> = {
  email,
  phone: (r) => v.phone(r).value,
  card: v.card,
  iban: (r) => v.iban(r, pick(r, Object.keys(v.IBAN_COUNTRIES))),
  ssn_us: v.ssn,
  nir_fr: (r) => v.nir(r, r() < 0.15),
  dni_es: (r) => v.dni(r, r() < 0.4),
  cf_it: v.codiceFiscale,
  ip: (r) => (r() < 0.7 ? v.ipv4(r) : v.ipv6(r)),
  dob: date,
  person: name,
  person_bare: name,
}

const PER_TYPE: Record<string, number> = {
  phone: 400,
  iban: 300,
  card: 300,
  ip: 250,
  email: 250,
  person_bare: 60,
}

const positives = (r: Rng): CorpusRecord[] => {
  const out: CorpusRecord[] = []
  for (const [type, templates] of Object.entries(T)) {
    const label = type === 'person_bare' ? 'person' : type
    const gen = make[type] as (r: Rng) => string
    for (let i = 0; i < (PER_TYPE[type] ?? 150); i++) {
      out.push({ id: `${type}-${i}`, source: 'generated', ...fill(pick(r, templates), [[label, gen(r)]]) })
    }
  }
  for (let i = 0; i < 200; i++) {
    const addr = pick(r, ADDRESSES)(r)
    out.push({ id: `address-${i}`, source: 'generated', ...fill(pick(r, ADDRESS_T), [['address', addr]]) })
  }
  return out
}

const secrets = (r: Rng): CorpusRecord[] => {
  const out: CorpusRecord[] = []
  for (const [rule, gen] of Object.entries(SECRET_MAKERS)) {
    for (let i = 0; i < 25; i++) {
      out.push({
        id: `secret-${rule}-${i}`,
        source: 'generated',
        ...fill(pick(r, SECRET_TEMPLATES), [['secret', gen(r)]]),
      })
    }
  }
  for (let i = 0; i < 60; i++) {
    out.push({
      id: `secret-password-${i}`,
      source: 'generated',
      ...fill(pick(r, PASSWORD_TEMPLATES), [['secret', password(r)]]),
    })
    out.push({
      id: `secret-generic-${i}`,
      source: 'generated',
      ...fill(pick(r, KEYWORD_TEMPLATES), [['secret', highEntropy(r)]]),
    })
  }
  for (let i = 0; i < 40; i++) {
    const scheme = pick(r, ['postgres', 'mysql', 'mongodb+srv', 'redis', 'amqp'])
    const t = `${scheme}://${pick(r, ['admin', 'app', 'svc_user'])}:{v}@${pick(r, ['db.internal', 'pg-primary', 'cluster0.example.net'])}:5432/prod`
    // Reserved characters (@ : /) are percent-encoded in a URL's password (RFC 3986 3.2.1).
    out.push({
      id: `secret-url-${i}`,
      source: 'generated',
      ...fill(t, [['secret', password(r).replace(/[@:/]/g, '')]]),
    })
    const aws = fill('aws_access_key_id = {v}\naws_secret_access_key = {w}', [
      ['secret', SECRET_MAKERS['aws-access-key-id']?.(r) ?? ''],
      ['secret', AWS_SECRET(r)],
    ])
    out.push({ id: `secret-aws-pair-${i}`, source: 'generated', ...aws })
  }
  return out
}

// Published test values (payment providers' test cards, the IBAN registry's examples, RFC 5737 and
// RFC 3849 documentation addresses, AWS's documented example key pair): facts, free to reuse.
const PUBLIC: Array<[string, string, string]> = [
  ['card', 'Test card {v} always succeeds.', '4242424242424242'],
  ['card', 'Use {v} for Mastercard.', '5555555555554444'],
  ['card', 'Amex test number {v}.', '378282246310005'],
  ['card', 'Discover {v}', '6011111111111117'],
  ['card', 'JCB {v}', '3566002020360505'],
  ['card', 'Diners {v}', '36227206271667'],
  ['card', 'Visa debit {v}', '4000056655665556'],
  ['card', 'UnionPay {v}', '6200000000000005'],
  ['card', 'Mastercard 2-series {v}', '2223003122003222'],
  ['iban', 'IBAN {v}', 'GB82 WEST 1234 5698 7654 32'],
  ['iban', 'IBAN {v}', 'DE89 3704 0044 0532 0130 00'],
  ['iban', 'IBAN {v}', 'FR14 2004 1010 0505 0001 3M02 606'],
  ['iban', 'IBAN {v}', 'NL91 ABNA 0417 1643 00'],
  ['iban', 'IBAN {v}', 'BE68 5390 0754 7034'],
  ['iban', 'IBAN {v}', 'ES91 2100 0418 4502 0005 1332'],
  ['iban', 'IBAN {v}', 'IT60 X054 2811 1010 0000 0123 456'],
  ['iban', 'IBAN {v}', 'CH93 0076 2011 6238 5295 7'],
  ['iban', 'IBAN {v}', 'AT61 1904 3002 3457 3201'],
  ['ip', 'Documentation address {v}.', '192.0.2.1'],
  ['ip', 'Documentation address {v}.', '198.51.100.42'],
  ['ip', 'Documentation address {v}.', '203.0.113.195'],
  ['ip', 'Documentation prefix host {v}.', '2001:db8:85a3::8a2e:370:7334'],
  ['secret', 'aws_access_key_id={v}', 'AKIAIOSFODNN7EXAMPLE'],
  ['phone', 'Ofcom drama number {v}', '07700 900461'],
  ['phone', 'Call {v}', '+44 20 7946 0958'],
]

export const buildCorpus = (seed = 20261129): CorpusRecord[] => {
  const r = v.createRng(seed)
  const pub = PUBLIC.map(([type, t, value], i) => ({
    id: `public-${i}`,
    source: 'public' as const,
    ...fill(t, [[type, value]]),
  }))
  return [...positives(r), ...secrets(r), ...pub, ...buildNegatives(r), ...buildMixed(r, 400, name, email)]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = new URL('../../test/fixtures/protect/corpus.jsonl', import.meta.url)
  const records = buildCorpus()
  writeFileSync(out, `${records.map((x) => JSON.stringify(x)).join('\n')}\n`)
  const spans = records.reduce((n, x) => n + x.spans.length, 0)
  process.stdout.write(`wrote ${records.length} records, ${spans} labelled spans to ${fileURLToPath(out)}\n`)
}
