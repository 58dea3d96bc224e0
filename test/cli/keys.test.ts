import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_KEY, chat, startAccessGateway } from '../access/access-helpers.js'
import type { TestGateway } from '../helpers/gateway.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'bin/gatehouse.js')
const run = promisify(execFile)

describe('gatehouse keys', () => {
  let gateway: TestGateway
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    gateway = await startAccessGateway()
    env = { PATH: process.env['PATH'], GATEHOUSE_URL: gateway.url, GATEHOUSE_ADMIN_KEY: ADMIN_KEY }
  })
  afterAll(async () => {
    await gateway?.close()
  })

  const keys = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, 'keys', ...args], {
        env: { ...env, ...extraEnv },
      })
      return { code: 0, stdout, stderr }
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string }
      return { code: e.code, stdout: e.stdout, stderr: e.stderr }
    }
  }

  it('creates, lists, rotates and revokes a key', async () => {
    const created = await keys([
      'create',
      '--tenant',
      'acme',
      '--name',
      'ci-bot',
      '--models',
      'small',
      '--expires',
      '30d',
      '--rpm',
      '60',
    ])
    expect(created.code).toBe(0)
    const key = created.stdout.trim()
    expect(key).toMatch(/^gth_/)
    expect(created.stderr).toContain('not shown again')
    expect((await chat(gateway, key)).status).toBe(200)
    const id = key.split('_')[1]!

    const listed = await keys(['list'])
    const [header, row] = listed.stdout.trim().split('\n')
    expect(header).toMatch(/^ID\s+NAME\s+TENANT\s+ROLE\s+STATUS\s+CREATED\s+EXPIRES\s+LAST USED\s+PREFIX$/)
    // Aligned: every column starts where its header does.
    expect(row!.indexOf('ci-bot')).toBe(header!.indexOf('NAME'))
    expect(row).toContain('active')
    expect(listed.stdout).not.toContain(key.slice(-20))

    const rotated = await keys(['rotate', id, '--grace', '0s'])
    expect(rotated.code).toBe(0)
    expect((await chat(gateway, rotated.stdout.trim())).status).toBe(200)
    expect((await chat(gateway, key)).status).toBe(401)

    expect((await keys(['revoke', id])).code).toBe(0)
    expect((await chat(gateway, rotated.stdout.trim())).status).toBe(401)
    expect((await keys(['list'])).stdout).toContain('revoked')
  })

  it('says what is wrong: no admin key, a refused request, an unreachable gateway', async () => {
    const noKey = await keys(['list'], { GATEHOUSE_ADMIN_KEY: '' })
    expect(noKey.code).toBe(1)
    expect(noKey.stderr).toContain('set GATEHOUSE_ADMIN_KEY')
    const badTenant = await keys(['create', '--tenant', 'nobody', '--name', 'x'])
    expect(badTenant.code).toBe(1)
    expect(badTenant.stderr).toContain('unknown tenant "nobody"')
    const unreachable = await keys(['list', '--url', 'http://127.0.0.1:1'])
    expect(unreachable.code).toBe(1)
    expect(unreachable.stderr).toContain('cannot reach http://127.0.0.1:1')
    expect(unreachable.stderr).not.toMatch(/\n\s+at /)
  })
})
