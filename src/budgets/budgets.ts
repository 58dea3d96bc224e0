import type { Alerter } from '../alerts/alerter.js'
import type { BudgetConfig } from '../config/access-schema.js'
import { GatewayError } from '../errors.js'
import type { SpendDelta, Store } from '../store/store.js'
import { type BudgetLedger, NANO } from './budget-ledger.js'

/** A budget that applies to a call: the tenant's or the key's. */
export interface BudgetSubject {
  scope: 'tenant' | 'key'
  subject: string
  /** For messages and alerts. */
  label: string
  tenant: string
  budget: BudgetConfig
}

interface Line {
  key: string
  subject: BudgetSubject
  period: 'daily' | 'monthly'
  periodId: string
  limitUsd: number
  resetsAtMs: number
}

export interface Reservation {
  lines: Line[]
  reservedNano: number
}

export interface BudgetsOptions {
  ledger: BudgetLedger
  store: Pick<Store, 'addSpend' | 'getSpend'>
  alerter: Alerter
  now?: () => number
}

/**
 * Budgets per tenant and per key, per day and per month (UTC). A call reserves its estimated cost
 * on every line that applies, all or nothing; a hard line refuses a call that no longer fits
 * (429 budget_exceeded). When the call ends the reservation becomes the real cost, alerts fire as
 * settled spend crosses the configured fractions, and the spend is added to the store, from which
 * a line restarts after a Redis or process restart.
 */
export class Budgets {
  readonly #ledger: BudgetLedger
  readonly #store: BudgetsOptions['store']
  readonly #alerter: Alerter
  readonly #now: () => number
  readonly #seeded = new Set<string>()
  #periods: Periods | undefined
  /** Settled spend not yet in the store, summed per line: one row per line per flush. */
  #pending = new Map<string, SpendDelta>()

  constructor(options: BudgetsOptions) {
    this.#ledger = options.ledger
    this.#store = options.store
    this.#alerter = options.alerter
    this.#now = options.now ?? Date.now
  }

  get ledgerKind(): 'local' | 'redis' {
    return this.#ledger.kind
  }

  async reserve(subjects: readonly BudgetSubject[], estimateUsd: number): Promise<Reservation> {
    const periods = this.#periodsNow()
    const lines = subjects.flatMap((s) => linesOf(s, periods))
    if (lines.length === 0) return { lines, reservedNano: 0 }
    await this.#seed(lines)
    const reservedNano = Math.ceil(estimateUsd * NANO)
    const result = await this.#ledger.reserve(
      lines.map((l) => ({
        key: l.key,
        limitNano: l.subject.budget.hard ? Math.floor(l.limitUsd * NANO) : undefined,
        amountNano: reservedNano,
      })),
    )
    if (!result.ok) {
      const line = lines[result.index]!
      const held = result.heldNano / NANO
      this.#alerter.send({
        event: 'budget.exceeded',
        tenant: line.subject.tenant,
        scope: line.subject.scope,
        subject: line.subject.subject,
        period: line.periodId,
        limit_usd: line.limitUsd,
        held_usd: round(held),
      })
      throw new BudgetExceeded(
        line.subject.scope,
        `The ${line.period} budget of ${line.subject.label} is used up: $${round(held)} of $${line.limitUsd} ` +
          `spent or reserved, and this call may cost up to $${round(estimateUsd)}. It resets at ` +
          `${new Date(line.resetsAtMs).toISOString()}.`,
        Math.max(1, Math.ceil((line.resetsAtMs - this.#now()) / 1000)),
      )
    }
    return { lines, reservedNano }
  }

  async settle(reservation: Reservation, actualUsd: number): Promise<void> {
    if (reservation.lines.length === 0) return
    const actualNano = Math.round(actualUsd * NANO)
    const settled = await this.#ledger.settle(
      reservation.lines.map((l) => ({ key: l.key, reservedNano: reservation.reservedNano, actualNano })),
    )
    reservation.lines.forEach((line, i) => {
      const { spentBeforeNano, spentAfterNano } = settled[i]!
      for (const fraction of line.subject.budget.alert_at) {
        const threshold = fraction * line.limitUsd * NANO
        if (spentBeforeNano < threshold && spentAfterNano >= threshold) {
          this.#alerter.send({
            event: 'budget.threshold',
            tenant: line.subject.tenant,
            scope: line.subject.scope,
            subject: line.subject.subject,
            period: line.periodId,
            threshold: fraction,
            limit_usd: line.limitUsd,
            spent_usd: round(spentAfterNano / NANO),
          })
        }
      }
      if (actualUsd > 0) {
        const pending = this.#pending.get(line.key)
        if (pending) pending.usd += actualUsd
        else
          this.#pending.set(line.key, {
            scope: line.subject.scope,
            subject: line.subject.subject,
            period: line.periodId,
            usd: actualUsd,
          })
      }
    })
  }

  /** Settled spend of a subject for the current day and month, USD. */
  async status(
    subject: BudgetSubject,
  ): Promise<Array<{ period: string; limit_usd: number; spent_usd: number }>> {
    const lines = linesOf(subject, this.#periodsNow())
    await this.#seed(lines)
    return Promise.all(
      lines.map(async (l) => ({
        period: l.periodId,
        limit_usd: l.limitUsd,
        spent_usd: round((await this.#ledger.spent(l.key)) / NANO),
      })),
    )
  }

  /** Write settled spend to the store; called on a timer and at shutdown. */
  async flush(): Promise<void> {
    if (this.#pending.size === 0) return
    const batch = [...this.#pending.values()]
    this.#pending = new Map()
    await this.#store.addSpend(batch)
  }

  #periodsNow(): Periods {
    this.#periods = periodsAt(this.#now(), this.#periods)
    return this.#periods
  }

  async #seed(lines: readonly Line[]): Promise<void> {
    for (const line of lines) {
      if (this.#seeded.has(line.key)) continue
      const spent = await this.#store.getSpend(line.subject.scope, line.subject.subject, line.periodId)
      await this.#ledger.seed(line.key, Math.round(spent * NANO))
      this.#seeded.add(line.key)
    }
  }
}

interface Periods {
  /** The UTC day these ids are good for: [fromMs, toMs). */
  fromMs: number
  toMs: number
  day: string
  month: string
  monthEndMs: number
}

/** The current UTC day and month, worked out once a day rather than on every call. */
function periodsAt(nowMs: number, cached: Periods | undefined): Periods {
  if (cached && nowMs >= cached.fromMs && nowMs < cached.toMs) return cached
  const now = new Date(nowMs)
  const [y, m, d] = [now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()]
  const day = now.toISOString().slice(0, 10)
  return {
    fromMs: Date.UTC(y, m, d),
    toMs: Date.UTC(y, m, d + 1),
    day,
    month: day.slice(0, 7),
    monthEndMs: Date.UTC(y, m + 1, 1),
  }
}

function linesOf(subject: BudgetSubject, periods: Periods): Line[] {
  const base = `${subject.scope}:${subject.subject}`
  const lines: Line[] = []
  if (subject.budget.daily_usd !== undefined) {
    lines.push({
      key: `${base}:d:${periods.day}`,
      subject,
      period: 'daily',
      periodId: `d:${periods.day}`,
      limitUsd: subject.budget.daily_usd,
      resetsAtMs: periods.toMs,
    })
  }
  if (subject.budget.monthly_usd !== undefined) {
    lines.push({
      key: `${base}:m:${periods.month}`,
      subject,
      period: 'monthly',
      periodId: `m:${periods.month}`,
      limitUsd: subject.budget.monthly_usd,
      resetsAtMs: periods.monthEndMs,
    })
  }
  return lines
}

function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6
}

/** 429 budget_exceeded, with the scope of the budget that refused (for metrics). */
export class BudgetExceeded extends GatewayError {
  constructor(
    readonly scope: 'tenant' | 'key',
    message: string,
    retryAfterS: number,
  ) {
    super('budget_exceeded', message, { retryAfterS })
  }
}
