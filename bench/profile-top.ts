import { readFileSync } from 'node:fs'

/**
 * `node dist/bench/profile-top.js FILE.cpuprofile [N]`: the N functions with the most self time in
 * a V8 CPU profile (written by `BENCH_CPU_PROF=1 npm run bench`), and totals by package.
 */

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

function main(): void {
  const [file, limit = '25'] = process.argv.slice(2)
  if (!file) {
    process.stderr.write('usage: node dist/bench/profile-top.js FILE.cpuprofile [N]\n')
    process.exit(2)
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const selfUs = selfTimeByNode(profile)
  const byFunction = new Map<string, number>()
  const byPackage = new Map<string, number>()
  let totalUs = 0
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0
    totalUs += us
    const { functionName, url, lineNumber } = node.callFrame
    const key = `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`
    byFunction.set(key, (byFunction.get(key) ?? 0) + us)
    byPackage.set(packageOf(url, functionName), (byPackage.get(packageOf(url, functionName)) ?? 0) + us)
  }
  const print = (title: string, entries: Map<string, number>, count: number) => {
    process.stdout.write(`${title}\n`)
    for (const [key, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, count)) {
      process.stdout.write(
        `${((us / totalUs) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}\n`,
      )
    }
  }
  print(`Self time by package (total ${(totalUs / 1000).toFixed(0)} ms)`, byPackage, 15)
  print('\nSelf time by function', byFunction, Number(limit))
}

/** Each sample's time delta belongs to the node sampled (the delta is to the previous sample). */
function selfTimeByNode(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  return self
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/')
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length)
  const dist = url.indexOf('/dist/')
  return dist >= 0 ? url.slice(dist + 1) : url.replace(/^file:\/\//, '')
}

function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)'
  const modules = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)
  if (modules) return modules[1]!
  if (url.startsWith('node:')) return 'node core'
  if (url.includes('/dist/src/')) return 'gatehouse'
  return url
}

main()
