import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/**
 * A process's own accounting, from procfs (https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html).
 * CPU time is summed over all its threads (JS, GC, libuv pool), which is what the request costs.
 */

export interface CpuTicks {
  /** utime: running the program's own code. */
  user: number
  /** stime: in the kernel on its behalf (syscalls: socket reads and writes, epoll). */
  system: number
}

/** utime and stime of `pid`, in clock ticks. */
export function readCpuTicks(pid: number): CpuTicks {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Field 2 (comm) is parenthesised and may contain spaces or ')'; the fields after the last ')'
  // start at field 3, so utime (14) and stime (15) are at offsets 11 and 12.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { user: Number(fields[11]), system: Number(fields[12]) }
}

export interface MachineTicks {
  /** user + nice + system over all cores (interrupt time left out: loopback traffic is ours). */
  busy: number
  /** Time the hypervisor ran something else while we wanted the CPU. */
  steal: number
}

/** The machine-wide CPU counters, in clock ticks (https://man7.org/linux/man-pages/man5/proc_stat.5.html). */
export function readMachineTicks(): MachineTicks {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!
  // cpu user nice system idle iowait irq softirq steal ...
  const [user = 0, nice = 0, system = 0, , , , , steal = 0] = line.trim().split(/\s+/).slice(1).map(Number)
  return { busy: user + nice + system, steal }
}

export interface MemoryKb {
  /** Resident set size now. */
  rssKb: number
  /** Peak resident set size since the process started ("high water mark"). */
  hwmKb: number
}

export function readMemoryKb(pid: number): MemoryKb {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name: string): number => {
    const match = status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))
    if (!match) throw new Error(`/proc/${pid}/status has no ${name}`)
    return Number(match[1])
  }
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') }
}

/** `getconf CLK_TCK`: the unit of utime and stime (100 on nearly every Linux). */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100
  } catch {
    return 100
  }
}

export interface RssSampler {
  /** Stop sampling; returns the largest VmRSS seen, in kB. */
  stop(): number
}

/** Sample VmRSS every `intervalMs` until stopped. */
export function sampleRss(pid: number, intervalMs: number): RssSampler {
  let maxKb = readMemoryKb(pid).rssKb
  const timer = setInterval(() => {
    // A gateway that died mid-run shows up as failed requests; the sampler must not crash the run.
    try {
      maxKb = Math.max(maxKb, readMemoryKb(pid).rssKb)
    } catch {}
  }, intervalMs)
  return {
    stop() {
      clearInterval(timer)
      try {
        maxKb = Math.max(maxKb, readMemoryKb(pid).rssKb)
      } catch {}
      return maxKb
    },
  }
}

/** The name of the program `pid` runs now (after an exec, the new program's). */
export function programName(pid: number): string {
  return readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
}
