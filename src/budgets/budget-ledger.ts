/**
 * Spend against budgets, in nano-USD integers so that sums are exact. Each line has two counters:
 * `held` (settled spend plus the reservations of calls in flight), checked against the limit
 * before a call, and `spent` (settled only), which drives alerts. A reservation is pessimistic:
 * the call's estimated cost is held until the call ends, then replaced by the real cost.
 */
export const NANO = 1e9

export interface ReserveLine {
  /** `tenant:acme:d:2026-11-29`. */
  key: string
  /** Hard limit in nano-USD, or undefined for a line that is only tracked (soft budget). */
  limitNano: number | undefined
  amountNano: number
}

export type ReserveResult = { ok: true } | { ok: false; index: number; heldNano: number }

export interface SettleLine {
  key: string
  /** Reserved before the call. */
  reservedNano: number
  /** What it really cost. */
  actualNano: number
}

export interface Settled {
  key: string
  spentBeforeNano: number
  spentAfterNano: number
}

export interface BudgetLedger {
  readonly kind: 'local' | 'redis'
  /** All or nothing: every line fits (`held + amount <= limit`), and then each holds its amount. */
  reserve(lines: readonly ReserveLine[]): Promise<ReserveResult>
  settle(lines: readonly SettleLine[]): Promise<Settled[]>
  /** Settled spend, nano-USD. */
  spent(key: string): Promise<number>
  /** Start a line from the store's record if this ledger does not know it yet (after a restart). */
  seed(key: string, spentNano: number): Promise<void>
  close(): Promise<void>
}

export function createLocalLedger(): BudgetLedger {
  const lines = new Map<string, { held: number; spent: number }>()
  const line = (key: string) => {
    let entry = lines.get(key)
    if (!entry) {
      entry = { held: 0, spent: 0 }
      lines.set(key, entry)
    }
    return entry
  }
  return {
    kind: 'local',
    async reserve(reserve) {
      const index = reserve.findIndex(
        (r) => r.limitNano !== undefined && line(r.key).held + r.amountNano > r.limitNano,
      )
      if (index >= 0) return { ok: false, index, heldNano: line(reserve[index]!.key).held }
      for (const r of reserve) line(r.key).held += r.amountNano
      return { ok: true }
    },
    async settle(settle) {
      return settle.map((s) => {
        const entry = line(s.key)
        entry.held += s.actualNano - s.reservedNano
        const spentBeforeNano = entry.spent
        entry.spent += s.actualNano
        return { key: s.key, spentBeforeNano, spentAfterNano: entry.spent }
      })
    },
    async spent(key) {
      return lines.get(key)?.spent ?? 0
    },
    async seed(key, spentNano) {
      if (!lines.has(key)) lines.set(key, { held: spentNano, spent: spentNano })
    },
    async close() {},
  }
}
