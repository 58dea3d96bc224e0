/**
 * Builds the labelled prompt-injection corpus for `npm run bench:protect` and the corpus test:
 * `npm run build && node dist/bench/injection-corpus.js` rewrites test/fixtures/protect/injection.jsonl.
 * Deterministic (seeded). Every text was written for this bench; no third-party dataset is copied.
 *
 * The held-out split is by phrasing, not by record: every record built from one attack or benign
 * sentence lands in the same split, so the test split holds sentences the rules were not tuned on.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  DELIMITERS,
  EXFILTRATION,
  OVERRIDES,
  PAYLOADS,
  PREFIXES,
  ROLEPLAY,
} from './injection-corpus-attacks.js'
import { EVERYDAY, HARD_USER, SECURITY_WRITING } from './injection-corpus-benign.js'
import { CARRIERS, ORDINARY, PLANTED } from './injection-corpus-documents.js'
import { DISGUISES, HIDDEN_DISGUISES } from './injection-disguises.js'
import { createRng, pick, type Rng } from './protect-corpus-values.js'

export interface InjectionRecord {
  id: string
  source: 'user' | 'context'
  text: string
  label: 'injection' | 'benign'
  /** Which family of the generator made it: `<label>/<source>/<family>`, plus the disguise if any. */
  origin: string
  split: 'train' | 'test'
}

const TEST_SHARE = 0.3
const BENIGN_PREFIXES = ['', 'Hi! ', 'Quick question: ', 'Thanks for earlier. ', 'Hello,\n']

// FNV-1a: the split follows the sentence, whichever family and variant uses it.
const hash = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}
const splitOf = (seed: string): 'train' | 'test' =>
  (hash(seed) % 1000) / 1000 < TEST_SHARE ? 'test' : 'train'

const withPayload = (r: Rng, seed: string): string => seed.replace('{p}', pick(r, PAYLOADS))

interface Family {
  origin: string
  source: 'user' | 'context'
  label: 'injection' | 'benign'
  seeds: readonly string[]
  variants: number
  render: (r: Rng, seed: string) => { text: string; disguise?: string }
}

const FAMILIES: readonly Family[] = [
  {
    origin: 'override',
    source: 'user',
    label: 'injection',
    seeds: OVERRIDES,
    variants: 2,
    render: (r, s) => ({ text: pick(r, PREFIXES) + withPayload(r, s) }),
  },
  {
    origin: 'obfuscated',
    source: 'user',
    label: 'injection',
    seeds: OVERRIDES,
    variants: 1,
    render: (r, s) => {
      const [name, disguise] = pick(r, Object.entries(DISGUISES))
      return { text: disguise(r, withPayload(r, s)), disguise: name }
    },
  },
  {
    origin: 'roleplay',
    source: 'user',
    label: 'injection',
    seeds: ROLEPLAY,
    variants: 2,
    render: (r, s) => ({ text: pick(r, PREFIXES) + withPayload(r, s) }),
  },
  {
    origin: 'exfiltration',
    source: 'user',
    label: 'injection',
    seeds: EXFILTRATION,
    variants: 2,
    render: (r, s) => ({ text: pick(r, PREFIXES) + s }),
  },
  {
    origin: 'delimiter',
    source: 'user',
    label: 'injection',
    seeds: DELIMITERS,
    variants: 2,
    render: (r, s) => ({ text: pick(r, PREFIXES) + withPayload(r, s) }),
  },
  {
    origin: 'planted',
    source: 'context',
    label: 'injection',
    seeds: PLANTED,
    variants: 4,
    render: (r, s) => {
      const [carrier, wrap] = pick(r, Object.entries(CARRIERS))
      if (r() < 0.25) {
        const [name, disguise] = pick(r, Object.entries(HIDDEN_DISGUISES))
        return { text: wrap(r, disguise(r, s)), disguise: `${carrier}+${name}` }
      }
      return { text: wrap(r, s), disguise: carrier }
    },
  },
  {
    origin: 'everyday',
    source: 'user',
    label: 'benign',
    seeds: EVERYDAY,
    variants: 2,
    render: (r, s) => ({ text: pick(r, BENIGN_PREFIXES) + s }),
  },
  {
    origin: 'hard',
    source: 'user',
    label: 'benign',
    seeds: HARD_USER,
    variants: 2,
    render: (r, s) => ({ text: pick(r, BENIGN_PREFIXES) + s }),
  },
  {
    origin: 'security-writing',
    source: 'user',
    label: 'benign',
    seeds: SECURITY_WRITING,
    variants: 1,
    render: (r, s) => ({ text: pick(r, ['', 'Is this accurate? ', 'Proofread this paragraph:\n']) + s }),
  },
  {
    origin: 'security-writing',
    source: 'context',
    label: 'benign',
    seeds: SECURITY_WRITING,
    variants: 2,
    render: (r, s) => {
      const carrier = pick(r, ['web-page', 'pdf-text', 'search-results', 'readme'])
      return { text: CARRIERS[carrier]?.(r, s) ?? s, disguise: carrier }
    },
  },
  {
    origin: 'ordinary',
    source: 'context',
    label: 'benign',
    seeds: ORDINARY,
    variants: 4,
    render: (r, s) => {
      const [carrier, wrap] = pick(r, Object.entries(CARRIERS))
      return { text: wrap(r, s), disguise: carrier }
    },
  },
]

export const buildInjectionCorpus = (seed = 20260214): InjectionRecord[] => {
  const r = createRng(seed)
  const out: InjectionRecord[] = []
  for (const f of FAMILIES) {
    f.seeds.forEach((s, i) => {
      for (let v = 0; v < f.variants; v++) {
        const { text, disguise } = f.render(r, s)
        out.push({
          id: `${f.label}-${f.source}-${f.origin}-${i}-${v}`,
          source: f.source,
          text,
          label: f.label,
          origin: `${f.label}/${f.source}/${f.origin}${disguise ? `/${disguise}` : ''}`,
          split: splitOf(s),
        })
      }
    })
  }
  return out
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = new URL('../../test/fixtures/protect/injection.jsonl', import.meta.url)
  const records = buildInjectionCorpus()
  writeFileSync(out, `${records.map((x) => JSON.stringify(x)).join('\n')}\n`)
  const count = (p: (x: InjectionRecord) => boolean) => records.filter(p).length
  process.stdout.write(
    `wrote ${records.length} records (${count((x) => x.label === 'injection')} injection, ${count((x) => x.split === 'test')} in the test split) to ${fileURLToPath(out)}\n`,
  )
}
