/** Where the CLI finds the admin API, and with which credential; flags override the environment. */
export interface AdminTarget {
  url: string
  key: string | undefined
}

export function adminTarget(opts: { url?: string }, env: NodeJS.ProcessEnv): AdminTarget {
  return {
    url: (opts.url ?? env['GATEHOUSE_URL'] ?? 'http://127.0.0.1:8787').replace(/\/+$/, ''),
    key: env['GATEHOUSE_ADMIN_KEY'],
  }
}

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'AdminApiError'
  }
}

/** One admin API call; errors carry the gateway's own message. */
export async function adminCall(
  target: AdminTarget,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  if (!target.key) throw new AdminApiError(0, 'set GATEHOUSE_ADMIN_KEY to an admin credential')
  let response: Response
  try {
    response = await fetch(`${target.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${target.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    })
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message
    throw new AdminApiError(
      0,
      `cannot reach ${target.url} (${cause}); is the gateway running? (--url or GATEHOUSE_URL)`,
    )
  }
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>
  if (!response.ok) {
    const message = (json['error'] as { message?: string } | undefined)?.message ?? `HTTP ${response.status}`
    throw new AdminApiError(response.status, message)
  }
  return json
}

/**
 * Columns padded to their widest cell, as `ls -l` and `kubectl get` print them; the columns listed
 * in `right` (numbers) are right-aligned so their digits line up.
 */
export function table(
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  right: readonly number[] = [],
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) =>
        right.includes(i) ? c.padStart(widths[i]!) : i === cells.length - 1 ? c : c.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd()
  return [line(headers), ...rows.map(line)].join('\n')
}
