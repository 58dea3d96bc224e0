import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { listeningUrl, withTimeout } from '../helpers/process.js'

// These tests run the built CLI, as users do: `npm run build` first.
const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'bin/gatehouse.js')
const quickstart = join(root, 'config/quickstart.yaml')
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Run a command to its end (killed after `timeoutMs`), collecting its output. */
function run(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd ?? root,
      env: opts.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 15_000,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

const gatehouse = (args: string[], opts: Parameters<typeof run>[2] = {}) =>
  run(process.execPath, [bin, ...args], opts)

/** The test runner's environment without anything that would change which config the CLI reads. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra }
  if (!('GATEHOUSE_CONFIG' in extra)) delete env['GATEHOUSE_CONFIG']
  return env
}

let dir: string
beforeAll(async () => {
  if (!existsSync(join(root, 'dist/src/cli/main.js')))
    throw new Error('dist/ is missing: run `npm run build` before the CLI tests')
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-cli-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function configFile(name: string, text: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, text)
  return path
}

const SECRET = 'sk-live-do-not-print-4242'
const ENV_SECRET = 'sk-env-do-not-print-2424'
const INVALID = `
server: { port: "abc" }
providers:
  openai: { kind: opnai, api_key: ${SECRET} }
  vllm: { kind: openai-compatible, base_url: http://gpu01:8000/v1, api_key: "\${VLLM_KEY}", headers: { x-token: ${SECRET} } }
models:
  gpt-4o-mini: { provider: openai, api_kye: x }
routes:
  chat: { targets: [gpt-4o-mini, gpt4o] }
`
const INVALID_ERRORS = [
  'server.port: expected number, got a string',
  'providers.openai.kind: expected one of openai, openai-compatible, simulated',
  'models.gpt-4o-mini: unknown key "api_kye"',
]

describe.concurrent('gatehouse --version and --help', () => {
  it('prints the package.json version', async () => {
    for (const flag of ['--version', '-v']) {
      const res = await gatehouse([flag])
      expect(res.code).toBe(0)
      expect(res.stdout.trim()).toBe(version)
    }
  })

  it('--help lists the commands', async () => {
    const res = await gatehouse(['--help'])
    expect(res.code).toBe(0)
    expect(res.stdout).toMatch(/Usage: gatehouse/)
    expect(res.stdout).toMatch(/^\s+serve\b/m)
    expect(res.stdout).toMatch(/^\s+check\b/m)
    expect(res.stdout).toContain('--version')
  })

  it('serve --help lists its options', async () => {
    const res = await gatehouse(['serve', '--help'])
    expect(res.code).toBe(0)
    expect(res.stdout).toContain('Usage: gatehouse serve')
    for (const option of ['--config <file>', '--port <n>', '--host <host>'])
      expect(res.stdout).toContain(option)
  })

  it('check --help lists its options', async () => {
    const res = await gatehouse(['check', '--help'])
    expect(res.code).toBe(0)
    expect(res.stdout).toContain('Usage: gatehouse check')
    expect(res.stdout).toContain('--config <file>')
  })

  it('rejects an unknown command with a usage hint', async () => {
    const res = await gatehouse(['serv'])
    expect(res.code).not.toBe(0)
    expect(res.stderr).toContain("unknown command 'serv'")
    expect(res.stderr).toContain('--help')
  })

  it('works through npx from the checkout', async () => {
    // --no-install: resolve the checkout's own bin, never fetch a package of that name.
    const res = await run('npx', ['--no-install', 'gatehouse', '--version'], { timeoutMs: 30_000 })
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    expect(res.stdout.trim()).toBe(version)
  })
})

describe.concurrent('gatehouse check', () => {
  it('accepts the quick start config', async () => {
    const res = await gatehouse(['check', '--config', quickstart])
    expect(res.code).toBe(0)
    expect(res.stdout).toMatch(/quickstart\.yaml: OK \(3 providers, 5 models, 2 routes, 1 rule\)/)
    expect(res.stderr).toBe('')
  })

  it('reads $GATEHOUSE_CONFIG when --config is not given', async () => {
    const res = await gatehouse(['check'], { env: cleanEnv({ GATEHOUSE_CONFIG: quickstart }) })
    expect(res.code).toBe(0)
    expect(res.stdout).toContain(': OK (')
  })

  it('prints every error of an invalid file with its key path and exits 1', async () => {
    const path = await configFile('invalid.yaml', INVALID)
    const res = await gatehouse(['check', '--config', path], { env: cleanEnv({ VLLM_KEY: ENV_SECRET }) })
    expect(res.code).toBe(1)
    expect(res.stdout).toBe('')
    expect(res.stderr).toContain(`${path}: 3 errors`)
    for (const error of INVALID_ERRORS) expect(res.stderr).toContain(`  - ${error}`)
  })

  it('reports semantic errors after the schema passes', async () => {
    const path = await configFile(
      'unknown-target.yaml',
      'providers:\n  p: { kind: simulated }\nmodels:\n  a: { provider: p }\nroutes:\n  chat: { targets: [a, gpt4o] }\n',
    )
    const res = await gatehouse(['check', '--config', path])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain(`${path}: 1 error\n`)
    expect(res.stderr).toContain('  - routes.chat.targets[1]: unknown model "gpt4o" (known: a')
  })

  it('never prints a secret from the file or the environment', async () => {
    const path = await configFile('secrets.yaml', INVALID)
    const res = await gatehouse(['check', '--config', path], { env: cleanEnv({ VLLM_KEY: ENV_SECRET }) })
    expect(res.code).toBe(1)
    const output = res.stdout + res.stderr
    expect(output).not.toContain(SECRET)
    expect(output).not.toContain(ENV_SECRET)
  })

  it('names a missing environment variable', async () => {
    const path = await configFile(
      'env.yaml',
      'providers:\n  o: { kind: openai, api_key: "${GH_TEST_UNSET_KEY}" }\n',
    )
    const res = await gatehouse(['check', '--config', path])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('providers.o.api_key: environment variable GH_TEST_UNSET_KEY is not set')
  })

  it('says clearly that a file is missing', async () => {
    const path = join(dir, 'does-not-exist.yaml')
    const res = await gatehouse(['check', '--config', path])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain(`${path}: cannot read config file (no such file)`)
    expect(res.stderr).not.toMatch(/\n\s+at /)
  })

  it('defaults to ./gatehouse.yaml', async () => {
    const res = await gatehouse(['check'], { cwd: dir })
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('gatehouse.yaml: cannot read config file (no such file)')
  })

  it('reports YAML syntax errors with a line number', async () => {
    const path = await configFile('syntax.yaml', 'providers:\n  p: { kind: simulated\n')
    const res = await gatehouse(['check', '--config', path])
    expect(res.code).toBe(1)
    expect(res.stderr).toMatch(/- YAML syntax: .* at line \d+, column \d+/)
  })
})

describe('gatehouse serve', () => {
  let child: ChildProcess | undefined
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    child = undefined
  })

  it('exits 1 and prints the errors for an invalid config, without secrets', async () => {
    const path = await configFile('serve-invalid.yaml', INVALID)
    const res = await gatehouse(['serve', '--config', path, '--port', '0'], {
      env: cleanEnv({ VLLM_KEY: ENV_SECRET }),
    })
    expect(res.code).toBe(1)
    expect(res.stderr).toContain(`gatehouse: ${path} is not valid:`)
    for (const error of INVALID_ERRORS) expect(res.stderr).toContain(`  - ${error}`)
    expect(res.stdout + res.stderr).not.toContain(SECRET)
    expect(res.stdout + res.stderr).not.toContain(ENV_SECRET)
  })

  it('exits 1 for a missing config file', async () => {
    const res = await gatehouse(['serve', '--config', join(dir, 'nope.yaml'), '--port', '0'])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('cannot read config file (no such file)')
  })

  it('rejects a bad --port as a usage error, not a stack trace', async () => {
    const res = await gatehouse(['serve', '--config', quickstart, '--port', 'abc'])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('invalid port "abc" (expected 0-65535)')
    expect(res.stderr).not.toMatch(/\n\s+at /)
  })

  it('reloads the config on SIGHUP even when the file did not change', async () => {
    const config = await configFile(
      'sighup.yaml',
      'store: { url: "sqlite::memory:" }\nproviders: { sim: { kind: simulated } }\nmodels: { sim-fast: { provider: sim } }\n',
    )
    const proc = spawn(process.execPath, [bin, 'serve', '--config', config, '--port', '0'], {
      cwd: root,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = proc
    let stdout = ''
    const reloaded = new Promise<void>((resolve) =>
      proc.stdout!.on('data', (d) => {
        stdout += d
        if (stdout.includes('"msg":"config reloaded"')) resolve()
      }),
    )
    await listeningUrl(proc, 10_000)
    // The watcher reloads only on a content change: a reload now can only come from the signal.
    proc.kill('SIGHUP')
    await withTimeout(reloaded, 15_000, 'a "config reloaded" log line')
    expect(proc.exitCode).toBeNull()
  })

  it('listens on --port 0, answers /healthz and stops on SIGTERM', async () => {
    const proc = spawn(process.execPath, [bin, 'serve', '--config', quickstart, '--port', '0'], {
      cwd: root,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = proc
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)))
    const url = await listeningUrl(proc, 10_000)
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(url).not.toBe('http://127.0.0.1:8787')

    const health = await fetch(`${url}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: Array<{ id: string }> }
    expect(models.data.map((m) => m.id)).toEqual([
      'sim-fast',
      'sim-large',
      'sim-cloud',
      'sim-down',
      'sim-embed',
      'chat',
      'balanced',
    ])

    proc.kill('SIGTERM')
    expect(await withTimeout(exited, 5_000)).toBe(0)
  })
})
