import type { SqlRunner } from './access-sql.js'

/** A caller's judgement of one answer, for evaluation later. */
export interface FeedbackRecord {
  id: string
  requestId: string
  /** The request's own time (epoch ms), so usage over a window finds its feedback by index. */
  requestTs: number
  tenant?: string | undefined
  keyId?: string | undefined
  /** -1 (bad) .. 1 (good). */
  score: number
  comment?: string | undefined
  /** When the feedback was given (epoch ms). */
  ts: number
}

export interface FeedbackStore {
  insertFeedback(feedback: FeedbackRecord): Promise<void>
  /** Every feedback on these requests, oldest first. */
  listFeedback(requestIds: readonly string[]): Promise<FeedbackRecord[]>
}

const COLUMNS = ['id', 'request_id', 'request_ts', 'tenant', 'key_id', 'score', 'comment', 'ts'] as const

/** Same SQL in both dialects, `?` placeholders (the PostgreSQL runner numbers them). */
export function createFeedbackStore(db: SqlRunner): FeedbackStore {
  return {
    async insertFeedback(f) {
      await db.run(
        `INSERT INTO feedback (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
        [f.id, f.requestId, f.requestTs, f.tenant ?? null, f.keyId ?? null, f.score, f.comment ?? null, f.ts],
      )
    },
    async listFeedback(requestIds) {
      if (requestIds.length === 0) return []
      const rows = await db.all(
        `SELECT ${COLUMNS.join(', ')} FROM feedback WHERE request_id IN (${requestIds.map(() => '?').join(', ')}) ORDER BY ts, id`,
        requestIds,
      )
      return rows.map(feedbackRecord)
    },
  }
}

function feedbackRecord(row: Record<string, unknown>): FeedbackRecord {
  const text = (v: unknown) => (v === null || v === undefined ? undefined : String(v))
  return {
    id: String(row['id']),
    requestId: String(row['request_id']),
    requestTs: Number(row['request_ts']),
    tenant: text(row['tenant']),
    keyId: text(row['key_id']),
    score: Number(row['score']),
    comment: text(row['comment']),
    ts: Number(row['ts']),
  }
}
