import type { Finding } from './entity-types.js'

// When two findings overlap, the more specific wins: checksummed ids over loose shapes, loose
// shapes over context guesses. Custom and denied types rank with the checksummed ones.
const RANK: Readonly<Record<string, number>> = {
  secret: 10,
  card: 9,
  iban: 9,
  nir_fr: 9,
  ssn_us: 8,
  dni_es: 8,
  cf_it: 8,
  email: 7,
  ip: 6,
  phone: 5,
  dob: 4,
  address: 3,
  person: 2,
}

const rank = (f: Finding): number => RANK[f.type] ?? 9

const better = (a: Finding, b: Finding): boolean =>
  rank(a) !== rank(b) ? rank(a) > rank(b) : a.end - a.start > b.end - b.start

/**
 * Sorted by start, without overlaps: of two overlapping findings the higher rank, then the longer,
 * stays. One sweep: kept findings never overlap, so a new one can only overlap the last kept.
 */
export const resolveOverlaps = (findings: Finding[]): Finding[] => {
  const ordered = findings.filter((f) => f.end > f.start).sort((a, b) => a.start - b.start || b.end - a.end)
  const kept: Finding[] = []
  for (const f of ordered) {
    const last = kept[kept.length - 1]
    if (!last || f.start >= last.end) kept.push(f)
    else if (better(f, last)) kept[kept.length - 1] = f
  }
  return kept
}
