import type { Finding } from '../src/protect/entity-types.js'
import type { CorpusRecord, Span } from './protect-corpus.js'

export interface TypeMetrics {
  type: string
  tp: number
  fp: number
  fn: number
  support: number
  precision: number
  recall: number
  f1: number
}

// Exact values (a checksum or a syntax decides where they end) must be found to the character;
// names, addresses, dates of birth and secrets count when the finding overlaps the labelled span.
const EXACT = new Set(['email', 'phone', 'card', 'iban', 'ssn_us', 'nir_fr', 'dni_es', 'cf_it', 'ip'])

const matches = (f: Finding, s: Span): boolean =>
  f.type === s.type &&
  (EXACT.has(s.type) ? f.start === s.start && f.end === s.end : f.start < s.end && s.start < f.end)

/** Precision, recall and F1 per entity type over a labelled corpus. */
export const scoreCorpus = (
  records: readonly CorpusRecord[],
  scan: (text: string) => Finding[],
): TypeMetrics[] => {
  const counts = new Map<string, { tp: number; fp: number; fn: number }>()
  const row = (t: string) => {
    const c = counts.get(t) ?? { tp: 0, fp: 0, fn: 0 }
    counts.set(t, c)
    return c
  }
  for (const rec of records) {
    const found = scan(rec.text)
    for (const s of rec.spans) {
      if (found.some((f) => matches(f, s))) row(s.type).tp++
      else row(s.type).fn++
    }
    for (const f of found) if (!rec.spans.some((s) => matches(f, s))) row(f.type).fp++
  }
  return [...counts.entries()]
    .map(([type, { tp, fp, fn }]) => {
      const precision = tp + fp === 0 ? 1 : tp / (tp + fp)
      const recall = tp + fn === 0 ? 1 : tp / (tp + fn)
      const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
      return { type, tp, fp, fn, support: tp + fn, precision, recall, f1 }
    })
    .sort((a, b) => a.type.localeCompare(b.type))
}

export interface Target {
  name: string
  ok: boolean
  detail: string
}

const STRUCTURED = ['email', 'card', 'iban', 'phone', 'ssn_us', 'nir_fr', 'ip']

/** The accuracy targets, checked against measured metrics. */
export const accuracyTargets = (metrics: readonly TypeMetrics[]): Target[] => {
  const by = new Map(metrics.map((m) => [m.type, m]))
  const targets: Target[] = STRUCTURED.map((type) => {
    const m = by.get(type)
    const ok = m !== undefined && m.recall >= 0.99 && m.precision >= 0.97
    return {
      name: `${type}: recall >= 0.99, precision >= 0.97`,
      ok,
      detail: m ? `${m.recall.toFixed(3)} / ${m.precision.toFixed(3)}` : 'no data',
    }
  })
  const secret = by.get('secret')
  targets.push({
    name: 'secret: recall >= 0.95',
    ok: secret !== undefined && secret.recall >= 0.95,
    detail: secret ? secret.recall.toFixed(3) : 'no data',
  })
  return targets
}

/** Left-aligned first column, right-aligned numbers: the CLI's table style. */
export const formatTable = (header: string[], rows: string[][]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

export interface InjectionMetrics {
  split: 'all' | 'train' | 'test'
  source: 'all' | 'user' | 'context'
  positives: number
  negatives: number
  /** Share of injections flagged, and of benign texts flagged. */
  tpr: number
  fpr: number
}

interface LabelledText {
  source: 'user' | 'context'
  text: string
  label: 'injection' | 'benign'
  split: 'train' | 'test'
}

/** TPR and FPR of a detector per split (all, train, test) and per source (all, user, context). */
export const scoreInjection = (
  records: readonly LabelledText[],
  isFlagged: (text: string, source: 'user' | 'context') => boolean,
): InjectionMetrics[] => {
  const flagged = records.map((r) => isFlagged(r.text, r.source))
  const out: InjectionMetrics[] = []
  for (const split of ['all', 'train', 'test'] as const) {
    for (const source of ['all', 'user', 'context'] as const) {
      const idx = records
        .map((_, i) => i)
        .filter((i) => {
          const r = records[i] as LabelledText
          return (split === 'all' || r.split === split) && (source === 'all' || r.source === source)
        })
      const pos = idx.filter((i) => records[i]?.label === 'injection')
      const neg = idx.filter((i) => records[i]?.label === 'benign')
      const rate = (xs: number[]) => (xs.length === 0 ? 0 : xs.filter((i) => flagged[i]).length / xs.length)
      out.push({
        split,
        source,
        positives: pos.length,
        negatives: neg.length,
        tpr: rate(pos),
        fpr: rate(neg),
      })
    }
  }
  return out
}

/** The injection target: TPR >= 0.90 at FPR <= 0.05, on the whole corpus and on the held-out split. */
export const injectionTargets = (metrics: readonly InjectionMetrics[]): Target[] =>
  metrics
    .filter((m) => m.source === 'all' && m.split !== 'train')
    .map((m) => ({
      name: `injection (${m.split === 'all' ? 'whole corpus' : 'test split'}): TPR >= 0.90, FPR <= 0.05`,
      ok: m.tpr >= 0.9 && m.fpr <= 0.05,
      detail: `${m.tpr.toFixed(3)} / ${m.fpr.toFixed(3)}`,
    }))
