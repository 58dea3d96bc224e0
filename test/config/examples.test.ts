import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/load.js'

const dir = new URL('../../config/examples/', import.meta.url)
const env = {
  OPENAI_API_KEY: 'sk-x',
  MISTRAL_API_KEY: 'mk-x',
  ANTHROPIC_API_KEY: 'sk-ant-x',
  GATEHOUSE_ADMIN_KEY: 'admin-x',
}

/** The configs the README shows must stay valid. */
describe('config/examples', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    it(`${file} is valid`, () => {
      const result = parseConfig(readFileSync(new URL(file, dir), 'utf8'), env)
      expect(result.ok ? [] : result.errors).toEqual([])
    })
  }
})
