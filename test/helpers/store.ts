import type { RequestLogQuery, Store } from '../../src/store/store.js'

/** Every matching request id, following the cursor page by page. */
export async function allRequestIds(store: Store, query: Omit<RequestLogQuery, 'cursor'>): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | undefined
  do {
    const page = await store.queryRequestLogs({ ...query, cursor })
    ids.push(...page.records.map((r) => r.requestId))
    cursor = page.nextCursor
  } while (cursor)
  return ids
}
