import { AdminApiError } from './admin-client.js'

/** Run a subcommand's action: an admin API or usage error is one line on stderr and exit 1. */
export async function runCommand(name: string, action: () => Promise<void>): Promise<void> {
  try {
    await action()
  } catch (err) {
    if (!(err instanceof AdminApiError)) throw err
    process.stderr.write(`gatehouse ${name}: ${err.message}\n`)
    process.exitCode = 1
  }
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`)
}
