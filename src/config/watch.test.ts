import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { watchConfig } from './watch.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until `calls()` reaches `count`; inotify delivers within milliseconds, 3 s is slack for a loaded CI. */
async function untilCalls(calls: () => number, count: number): Promise<void> {
  const deadline = Date.now() + 3_000
  while (calls() < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} change calls, saw ${calls()}`)
    await sleep(10)
  }
}

/** The inode numbers this process watches with inotify, from /proc (Linux); undefined elsewhere. */
function watchedInodes(): Set<number> | undefined {
  if (process.platform !== 'linux') return undefined
  const inodes = new Set<number>()
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`)
    } catch {
      continue
    }
    if (target !== 'anon_inode:inotify') continue
    for (const m of readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').matchAll(/\bino:([0-9a-f]+)/g))
      inodes.add(Number.parseInt(m[1]!, 16))
  }
  return inodes
}

describe('watchConfig', () => {
  let dir: string
  let stop: (() => void) | undefined
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-watch-'))
  })
  afterEach(() => {
    stop?.()
    stop = undefined
    rmSync(dir, { recursive: true, force: true })
  })

  const start = (path: string) => {
    let calls = 0
    const watcher = watchConfig(path, () => calls++, { debounceMs: 30, retryMs: 30 })
    stop = () => watcher.close()
    return () => calls
  }
  /** Writes gatehouse.yaml and starts watching it. */
  const watching = (content = 'v: 1\n') => {
    const path = join(dir, 'gatehouse.yaml')
    writeFileSync(path, content)
    return { path, calls: start(path) }
  }
  /** Nothing reported for a while: long enough for a debounced call to have come. */
  const expectQuiet = async (calls: () => number) => {
    await sleep(150)
    expect(calls()).toBe(0)
  }

  it('reports a burst of writes in place once', async () => {
    const { path, calls } = watching()
    writeFileSync(path, 'a: 2\n')
    appendFileSync(path, 'b: 1\n')
    await untilCalls(calls, 1)
    await sleep(150)
    expect(calls()).toBe(1)
  })

  it('stays asleep while other files in the same directory are written (a store beside the config)', async () => {
    const { path, calls } = watching()
    // The kernel is asked about the file only: writes beside it do not even wake the process.
    const inodes = watchedInodes()
    if (inodes) {
      expect(inodes.has(statSync(path).ino)).toBe(true)
      expect(inodes.has(statSync(dir).ino)).toBe(false)
    }
    for (let i = 0; i < 200; i++) appendFileSync(join(dir, 'gatehouse.db-wal'), 'page\n')
    writeFileSync(join(dir, 'other.yaml'), 'x: 1\n')
    await expectQuiet(calls)
    // And it still hears its own file afterwards.
    writeFileSync(path, 'a: 2\n')
    await untilCalls(calls, 1)
  })

  it('follows a file replaced by rename, again and again (editors, atomic writes)', async () => {
    const { path, calls } = watching('v: 0\n')
    for (let v = 1; v <= 3; v++) {
      writeFileSync(join(dir, `.gatehouse.yaml.tmp${v}`), `v: ${v}\n`)
      renameSync(join(dir, `.gatehouse.yaml.tmp${v}`), path)
      await untilCalls(calls, v)
      await sleep(80)
    }
    expect(calls()).toBe(3)
  })

  it('follows a Kubernetes ConfigMap update (the ..data symlink swapped, the old files deleted)', async () => {
    mkdirSync(join(dir, '..2026_01'))
    writeFileSync(join(dir, '..2026_01', 'gatehouse.yaml'), 'v: 1\n')
    symlinkSync('..2026_01', join(dir, '..data'))
    symlinkSync(join('..data', 'gatehouse.yaml'), join(dir, 'gatehouse.yaml'))
    const calls = start(join(dir, 'gatehouse.yaml'))

    const update = async (from: string, to: string, count: number) => {
      mkdirSync(join(dir, to))
      writeFileSync(join(dir, to, 'gatehouse.yaml'), `v: ${to}\n`)
      symlinkSync(to, join(dir, '..data_tmp'))
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'))
      rmSync(join(dir, from), { recursive: true })
      await untilCalls(calls, count)
      await sleep(80)
    }
    await update('..2026_01', '..2026_02', 1)
    // The watch now follows the new target: a second update is heard too.
    await update('..2026_02', '..2026_03', 2)
    expect(calls()).toBe(2)
  })

  it('reports a file that was removed once it is back', async () => {
    const { path, calls } = watching()
    rmSync(path)
    await expectQuiet(calls)
    writeFileSync(path, 'v: 2\n')
    await untilCalls(calls, 1)
  })

  it('is silent after close', async () => {
    const { path, calls } = watching()
    stop?.()
    writeFileSync(path, 'v: 2\n')
    await expectQuiet(calls)
  })
})
