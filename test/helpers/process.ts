import type { ChildProcess } from 'node:child_process'

/** The URL from the `gatehouse listening on http://...` line a `serve` process prints on stderr. */
export function listeningUrl(proc: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = ''
    const timer = setTimeout(
      () => reject(new Error(`no listening line in ${timeoutMs} ms:\n${stderr}`)),
      timeoutMs,
    )
    proc.stderr!.on('data', (d) => {
      stderr += d
      const match = /gatehouse listening on (http:\/\/\S+)/.exec(stderr)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    })
    proc.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code} before listening:\n${stderr}`))
    })
  })
}

/** Reject if `promise` has not settled within `ms`: every wait in a test is bounded. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what = 'a result'): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (err: unknown) => {
        clearTimeout(timer)
        reject(err)
      },
    )
  })
}
