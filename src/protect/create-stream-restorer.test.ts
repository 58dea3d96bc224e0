import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createStreamRestorer } from './create-stream-restorer.js'
import { createPlaceholderVault, type PlaceholderVault } from './placeholder-vault.js'
import { restoreText } from './restore-text.js'

// EMAIL_1 … EMAIL_12, so one core is a prefix of others, and a type with an underscore.
const makeVault = (): PlaceholderVault => {
  const vault = createPlaceholderVault()
  for (let i = 1; i <= 12; i++) vault.placeholderFor('email', `user${i}@example.org`)
  vault.placeholderFor('phone', '+33 6 12 34 56 78')
  vault.placeholderFor('person', 'Ada [the] Lovelace')
  vault.placeholderFor('person', 'PERSON_9')
  vault.placeholderFor('ssn_us', '078-05-1120')
  return vault
}
const ISSUED = [
  ...Array.from({ length: 12 }, (_, i) => `EMAIL_${i + 1}`),
  'PHONE_1',
  'PERSON_1',
  'PERSON_2',
  'SSN_US_1',
]
const CORES = ['EMAIL_1', 'EMAIL_2', 'EMAIL_12', 'PHONE_1', 'PERSON_1', 'PERSON_2', 'SSN_US_1']
// The hold-back bound documented on StreamRestorer.pending: `[ ` + longest core + ` `.
const boundOf = (vault: PlaceholderVault): number => vault.longestPlaceholder + 1

const rewritten = (core: string): string[] => {
  const lower = core.toLowerCase()
  const capital = core[0] + lower.slice(1)
  return [
    `[${core}]`,
    `[${lower}]`,
    capital,
    core,
    `**[${core}]**`,
    `(${core})`,
    `"${core}."`,
    `[ ${core} ]`,
    `[ ${core}]`,
    `[${core} ]`,
    // Unclosed: the restorer must give back what it held for a closing bracket that never came.
    `[${core}`,
    `[ ${core} `,
  ]
}
const LOOK_ALIKES = ['[EMA', 'EMAIL_', '[', '_1]', '[ ', ' ]', ']', '[[', 'EMAIL_13', 'EMAIL_0', 'EMAIL_120']
const OTHERS = ['MY_EMAIL_1', 'EMAIL_1x', 'xEMAIL_1', 'SSN_US', 'PERSON_9', '[EMAIL]', 'é', '\n', '😀']
const WORDS = ['hello', 'Mail', 'the', 'E', 'EM', 'PERSO', 'x', '_', '9', ' ', ', ', '.', '*']
const fragment = fc.oneof(
  fc.constantFrom(...CORES.flatMap(rewritten)),
  fc.constantFrom(...LOOK_ALIKES, ...OTHERS, ...WORDS),
  fc.string({ maxLength: 3 }),
)
const text = fc.array(fragment, { maxLength: 30 }).map((parts) => parts.join(''))

const chunksAt = (whole: string, cuts: number[]): string[] => {
  const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b)
  const chunks: string[] = []
  let last = 0
  for (const p of [...points, whole.length]) {
    chunks.push(whole.slice(last, p))
    last = p
  }
  return chunks
}

// Streams the chunks, checking after each push that only a tail that can still become a
// placeholder is held, and no more of it than the documented bound.
const stream = (vault: PlaceholderVault, chunks: string[]): string => {
  const restorer = createStreamRestorer(vault)
  let seen = ''
  let out = ''
  for (const chunk of chunks) {
    out += restorer.push(chunk)
    seen += chunk
    expect(restorer.pending).toBeLessThanOrEqual(boundOf(vault))
    if (restorer.pending > 0) expectPlaceholderTail(seen, seen.slice(seen.length - restorer.pending))
  }
  return out + restorer.flush()
}

const expectPlaceholderTail = (seen: string, tail: string): void => {
  const shape = /^(\[ ?)?([A-Za-z0-9_]*)( ?)$/.exec(tail)
  expect(shape, `held ${JSON.stringify(tail)}`).not.toBeNull()
  const [, opener = '', word = '', space = ''] = shape!
  if (word === '') {
    expect(opener).not.toBe('')
    expect(space).toBe('')
    return
  }
  // The word starts a run and is a prefix of an issued core.
  expect(/[A-Za-z0-9_]/.test(seen[seen.length - tail.length - 1] ?? '') && opener === '').toBe(false)
  expect(ISSUED.some((core) => core.startsWith(word.toUpperCase()))).toBe(true)
  if (space !== '') {
    expect(opener).not.toBe('')
    expect(ISSUED).toContain(word.toUpperCase())
  }
}

describe('createStreamRestorer', () => {
  it('equals restoreText on the whole text for every split', () => {
    const vault = makeVault()
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 40 }), (whole, cuts) => {
        expect(stream(vault, chunksAt(whole, cuts))).toBe(restoreText(whole, vault))
      }),
      { numRuns: 1_000 },
    )
  })

  it('equals restoreText for 1-char chunks', () => {
    const vault = makeVault()
    fc.assert(
      fc.property(text, (whole) => {
        expect(stream(vault, [...whole])).toBe(restoreText(whole, vault))
      }),
      { numRuns: 300 },
    )
  })

  const SAMPLE =
    'Hi [EMAIL_1], mail **[email_12]** or (Phone_1) and "PERSON_1." [ SSN_US_1 ] [EMAIL_2 ] [ EMAIL_1]' +
    ' not MY_EMAIL_1 EMAIL_13 [EMA EMAIL_ _1] [[EMAIL_2]] [ [PERSON_2] ] EMAIL_1x xEMAIL_1 [EMAIL_1 [EMAIL_12'

  it('equals restoreText for the sample split in two at every index', () => {
    const vault = makeVault()
    const expected = restoreText(SAMPLE, vault)
    expect(expected).toContain('user12@example.org')
    for (let i = 0; i <= SAMPLE.length; i++) {
      expect(stream(vault, [SAMPLE.slice(0, i), SAMPLE.slice(i)])).toBe(expected)
    }
  })

  it('equals restoreText for a placeholder split in three at every pair of indexes', () => {
    const vault = makeVault()
    const sample = 'a [ EMAIL_12 ] b [EMAIL_1 ]c'
    const expected = restoreText(sample, vault)
    for (let i = 0; i <= sample.length; i++) {
      for (let j = i; j <= sample.length; j++) {
        expect(stream(vault, [sample.slice(0, i), sample.slice(i, j), sample.slice(j)])).toBe(expected)
      }
    }
  })

  it('equals restoreText for the sample in 1-char chunks', () => {
    const vault = makeVault()
    expect(stream(vault, [...SAMPLE])).toBe(restoreText(SAMPLE, vault))
  })

  it('passes chunks through at once while the vault is empty', () => {
    const vault = createPlaceholderVault()
    fc.assert(
      fc.property(fc.array(fc.string()), (chunks) => {
        const restorer = createStreamRestorer(vault)
        for (const chunk of chunks) {
          expect(restorer.push(chunk)).toBe(chunk)
          expect(restorer.pending).toBe(0)
        }
        expect(restorer.flush()).toBe('')
      }),
    )
  })

  it('emits at once text in which no placeholder can start', () => {
    const vault = makeVault()
    // Cores start with E, P or S; none can start after a word char either.
    const safe = fc.string({ unit: fc.constantFrom(...'abcdxyz 0123_.,!?()*\n]é') })
    fc.assert(
      fc.property(fc.array(safe), (chunks) => {
        const restorer = createStreamRestorer(vault)
        for (const chunk of chunks) expect(restorer.push(chunk)).toBe(chunk)
      }),
    )
    const restorer = createStreamRestorer(vault)
    expect(restorer.push('Hello, world: MY_EMAIL_1 and xPERSON_1 ')).toBe(
      'Hello, world: MY_EMAIL_1 and xPERSON_1 ',
    )
  })

  it('holds back only the tail that may still be a placeholder', () => {
    const restorer = createStreamRestorer(makeVault())
    expect(restorer.push('Hello [')).toBe('Hello ')
    expect(restorer.pending).toBe(1)
    expect(restorer.push('EMA')).toBe('')
    expect(restorer.push('IL_1]')).toBe('user1@example.org')
    expect(restorer.push(' Ex')).toBe(' Ex')
    expect(restorer.push(' EMAIL_1')).toBe(' ')
    // EMAIL_1 may yet become EMAIL_12.
    expect(restorer.pending).toBe('EMAIL_1'.length)
    expect(restorer.push('.')).toBe('user1@example.org.')
    expect(restorer.push('[EMAIL_1 ')).toBe('')
    expect(restorer.push('x')).toBe('[user1@example.org x')
    expect(restorer.push('[ email_12')).toBe('')
    expect(restorer.flush()).toBe('[ user12@example.org')
  })

  it('reaches but never exceeds the documented bound', () => {
    const vault = makeVault()
    expect(vault.longestPlaceholder).toBe('[EMAIL_12]'.length)
    const restorer = createStreamRestorer(vault)
    expect(restorer.push('[ EMAIL_12 ')).toBe('')
    expect(restorer.pending).toBe(vault.longestPlaceholder + 1)
    expect(restorer.push(']')).toBe('user12@example.org')
    expect(restorer.pending).toBe(0)
  })

  it('does not rescan a restored value that looks like a placeholder', () => {
    const restorer = createStreamRestorer(makeVault())
    expect(restorer.push('[PERSON_2] ')).toBe('PERSON_9 ')
  })

  it('handles a long stream in time linear in its length', () => {
    const vault = makeVault()
    const unit = 'Mail [EMAIL_1] or [EMA or EMAIL_12x, then [ PERSON_1 ] now. '
    const whole = unit.repeat(4_000)
    const restorer = createStreamRestorer(vault)
    const started = performance.now()
    let out = ''
    for (let i = 0; i < whole.length; i += 3) out += restorer.push(whole.slice(i, i + 3))
    out += restorer.flush()
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(out).toBe(restoreText(whole, vault))
  })
})
