import type { Store } from './store.js'

/**
 * `postgres://...` (or `postgresql://`) for PostgreSQL; `sqlite:<path>` or a plain path for SQLite.
 * Each driver is imported only when used: `pg` alone adds ~15 MB of RSS to a process that never
 * talks to PostgreSQL, better-sqlite3 ~10 MB to one that does.
 */
export async function openStore(url: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { openPostgresStore } = await import('./postgres/postgres-store.js')
    return openPostgresStore({ url })
  }
  const { openSqliteStore } = await import('./sqlite/sqlite-store.js')
  return openSqliteStore(url.replace(/^sqlite:/, ''))
}

/** The URL with any password replaced, for logs and errors. */
export function redactStoreUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, '$1:[redacted]@')
}
