import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { availableParallelism } from 'node:os'

export interface PinnedProcess {
  readonly pid: number
  /** The first match of `ready` in the child's output. */
  readonly ready: RegExpMatchArray
  /** The last few KB of stdout and stderr, for error messages. */
  outputTail(): string
  /** Why the child is gone, or undefined while it runs. */
  exitReason(): string | undefined
}

export interface SpawnOptions {
  name: string
  /** CPU core to pin to; ignored when pinning is unavailable. */
  core: number
  command: string
  args: string[]
  /** Output line that means the child is serving. */
  ready: RegExp
  timeoutMs?: number
}

export interface ChildSupervisor {
  readonly isPinning: boolean
  start(options: SpawnOptions): Promise<PinnedProcess>
  /** SIGTERM each child, SIGKILL whatever is still alive after `graceMs`. */
  stopAll(graceMs?: number): Promise<void>
  /** Last resort for `process.on('exit')`, where only synchronous code runs. */
  killAllNow(): void
}

const TAIL_CHARS = 4096

/** Is `taskset` there and are there at least two cores to pin to? */
export function canPin(): boolean {
  if (availableParallelism() < 2) return false
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Pin this process and all its threads (`-a`) to one core, so the load generator stays off the gateway's. */
export function pinSelf(core: number): void {
  execFileSync('taskset', ['-a', '-cp', String(core), String(process.pid)], { stdio: 'ignore' })
}

/**
 * Starts child processes pinned with `taskset -c` and remembers them so every exit path can end
 * them. taskset execs the command, so the child's pid is the pinned program's own pid.
 */
export function createChildSupervisor(isPinning: boolean): ChildSupervisor {
  const children = new Set<ChildProcess>()

  function start(options: SpawnOptions): Promise<PinnedProcess> {
    const argv = [options.command, ...options.args]
    const pinned = isPinning ? ['taskset', '-c', String(options.core), ...argv] : argv
    const child = spawn(pinned[0]!, pinned.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] })
    children.add(child)
    child.once('exit', () => children.delete(child))
    let tail = ''
    let exitReason: string | undefined
    child.once('exit', (code, signal) => {
      exitReason = `exited with code ${code}, signal ${signal}`
    })
    return new Promise((resolve, reject) => {
      let isReady = false
      const timeoutMs = options.timeoutMs ?? 15_000
      const timer = setTimeout(() => fail(`did not report ready within ${timeoutMs} ms`), timeoutMs)
      function fail(why: string): void {
        clearTimeout(timer)
        if (isReady) return
        child.kill('SIGKILL')
        reject(new Error(`${options.name} ${why}; its output:\n${tail}`))
      }
      // Keep draining both pipes for the child's whole life: a full pipe would block its writes.
      const onOutput = (data: Buffer) => {
        tail = (tail + data.toString('utf8')).slice(-TAIL_CHARS)
        const match = isReady ? null : tail.match(options.ready)
        if (!match) return
        isReady = true
        clearTimeout(timer)
        resolve({ pid: child.pid!, ready: match, outputTail: () => tail, exitReason: () => exitReason })
      }
      child.stdout!.on('data', onOutput)
      child.stderr!.on('data', onOutput)
      child.once('error', (err) => fail(`could not start: ${err.message}`))
      child.once('exit', () => fail(`${exitReason} before it was ready`))
    })
  }

  async function stopAll(graceMs = 5_000): Promise<void> {
    await Promise.all([...children].map((child) => stop(child, graceMs)))
  }

  function killAllNow(): void {
    for (const child of children) child.kill('SIGKILL')
  }

  return { isPinning, start, stopAll, killAllNow }
}

function stop(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
