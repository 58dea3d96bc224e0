import { openPostgresStore } from './postgres/postgres-store.js'
import { openSqliteStore } from './sqlite/sqlite-store.js'
import type { Store } from './store.js'

/** `postgres://...` (or `postgresql://`) for PostgreSQL; `sqlite:<path>` or a plain path for SQLite. */
export async function openStore(url: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgresStore({ url })
  return openSqliteStore(url.replace(/^sqlite:/, ''))
}

/** The URL with any password replaced, for logs and errors. */
export function redactStoreUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, '$1:[redacted]@')
}
