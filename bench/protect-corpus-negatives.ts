import type { CorpusRecord } from './protect-corpus.js'
import * as v from './protect-corpus-values.js'
import { ALNUM, hex, int, pick, type Rng } from './protect-corpus-values.js'

/**
 * Look-alikes that carry no personal data or secret: the precision half of the corpus. Each maker
 * returns a text with no labelled span.
 */
const MAKERS: Record<string, (r: Rng) => string> = {
  'order-number': (r) =>
    `Order #${int(r, 100000, 999999999)} shipped on ${int(r, 1, 28)}/0${int(r, 1, 9)}/2025.`,
  'invoice-id': (r) =>
    `Invoice INV-${int(r, 2019, 2026)}-${String(int(r, 1, 99999)).padStart(6, '0')} is overdue.`,
  'tracking-ups': (r) =>
    `Tracking 1Z${v.token(r, 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789', 16)} out for delivery.`,
  'tracking-usps': (r) =>
    `USPS ${int(r, 9200, 9500)} ${int(r, 1000, 9999)} ${int(r, 1000, 9999)} ${int(r, 1000, 9999)} ${int(r, 1000, 9999)} ${int(r, 10, 99)}`,
  'bad-luhn-card': (r) => {
    let value = v.card(r)
    for (;;) {
      const bad = v.corruptDigit(r, value)
      if (bad !== value) {
        value = bad
        break
      }
    }
    return `Card ${value} was declined.`
  },
  'bad-iban': (r) => `IBAN ${v.corruptDigit(r, v.iban(r, pick(r, Object.keys(v.IBAN_COUNTRIES))))} rejected.`,
  'bad-nir': (r) => {
    const n = v.nir(r).replace(/\d\d$/, (k) => String((Number(k) % 97) + 1).padStart(2, '0'))
    return `Numéro ${n} invalide.`
  },
  'bad-dni': (r) => {
    const d = v.dni(r)
    const letter = d.slice(-1) === 'A' ? 'B' : 'A'
    return `DNI ${d.slice(0, -1)}${letter} no válido.`
  },
  'bad-ssn': (r) =>
    `Example SSN ${pick(r, ['000', '666', String(int(r, 900, 999))])}-${String(int(r, 1, 99)).padStart(2, '0')}-${String(int(r, 1, 9999)).padStart(4, '0')} is invalid.`,
  version: (r) =>
    `Upgrade to v${int(r, 1, 20)}.${int(r, 0, 9)}.${int(r, 0, 30)}.${int(r, 0, 999)} or version ${int(r, 1, 12)}.${int(r, 0, 9)}.${int(r, 0, 99)}.`,
  'bad-ip': (r) =>
    `Parsed ${int(r, 256, 999)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 0, 255)} and 1.2.3.4.5 as junk.`,
  uuid: (r) => `request_id=${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`,
  'git-log': (r) => `commit ${hex(r, 40)}\nAuthor: ci-bot\nMerge: ${hex(r, 7)} ${hex(r, 7)}`,
  timestamp: (r) =>
    `2025-0${int(r, 1, 9)}-${int(r, 10, 28)} ${int(r, 10, 23)}:${int(r, 10, 59)}:${int(r, 10, 59)} INFO worker=${int(r, 1, 16)} took ${int(r, 1, 999)}ms`,
  'epoch-millis': (r) =>
    `ts=${int(r, 1_600_000_000, 1_800_000_000)}${int(r, 100, 999)} seq=${int(r, 10_000_000, 99_999_999)}`,
  price: (r) =>
    `Total: ${pick(r, ['€', '$', '£'])}${int(r, 1, 999)},${int(r, 100, 999)}.${int(r, 10, 99)} or ${int(r, 1, 99)} ${int(r, 100, 999)} ${int(r, 100, 999)} EUR`,
  'non-birth-date': (r) =>
    `The meeting is on ${int(r, 1, 28)}/${int(r, 1, 12)}/2025; deadline ${int(r, 10, 28)}.0${int(r, 1, 9)}.2026.`,
  'base64-image': (r) => `<img src="data:image/png;base64,iVBORw0KGgo${v.token(r, `${ALNUM}+/`, 300)}=">`,
  isbn: (r) => `ISBN 978-${int(r, 0, 9)}-${int(r, 10, 99)}-${int(r, 100000, 999999)}-${int(r, 0, 9)}`,
  'token-prose': (r) =>
    pick(r, [
      'The token limit is 4096 for this model.',
      'The password must be at least 12 characters.',
      'Our secret sauce is the retrieval step.',
      'Set the api_key in your environment, not in code.',
      'Password is required.',
      'token: <your-token-here>',
    ]),
  'placeholder-url': (r) =>
    `postgres://${pick(r, ['user:password', 'admin:${DB_PASS}', 'app:****'])}@localhost:5432/db`,
  'sku-and-ids': (r) =>
    `SKU ${v.token(r, 'ABCDEFGHJKLMNPQRSTUVWXYZ', 3)}-${int(r, 1000, 9999)}, ticket JIRA-${int(r, 100, 9999)}, case ${int(r, 1000000, 9999999)}`,
  measurements: (r) =>
    `The sample weighed ${int(r, 1, 999)}.${int(r, 1, 99)} g at ${int(r, 10, 40)} °C, ${int(r, 1000, 99999)} rpm, ${int(r, 100, 999)} ${int(r, 100, 999)} units.`,
  'css-and-code': (r) =>
    `margin: ${int(r, 1, 30)}px ${int(r, 1, 30)}px; const x = arr[${int(r, 0, 99)}] * ${int(r, 1, 9999)}.${int(r, 1, 99)}; std::vector<int> v;`,
  'prose-names': (r) =>
    pick(r, [
      'Dear team, please find the report attached.',
      'The Street Fighter tournament starts at noon.',
      'We discussed the road map with the customer.',
      'Mr. Robot is a TV series.',
    ]),
  'mac-address': (r) => `MAC ${Array.from({ length: 6 }, () => hex(r, 2)).join(':')} on eth0`,
}

export const buildNegatives = (r: Rng): CorpusRecord[] => {
  const out: CorpusRecord[] = []
  for (const [kind, make] of Object.entries(MAKERS)) {
    for (let i = 0; i < 60; i++)
      out.push({ id: `neg-${kind}-${i}`, source: 'generated', text: make(r), spans: [] })
  }
  return out
}
