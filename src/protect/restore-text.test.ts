import { describe, expect, it } from 'vitest'
import { createPlaceholderVault } from './placeholder-vault.js'
import { restoreText } from './restore-text.js'

const EMAIL = 'ada@example.org'
const vaultWith = () => {
  const vault = createPlaceholderVault()
  vault.placeholderFor('email', EMAIL)
  vault.placeholderFor('phone', '+33 6 12 34 56 78')
  vault.placeholderFor('ssn-us', '078-05-1120')
  return vault
}

describe('restoreText', () => {
  it.each([
    ['[EMAIL_1]', EMAIL],
    ['[email_1]', EMAIL],
    ['Email_1', EMAIL],
    ['EMAIL_1', EMAIL],
    ['**[EMAIL_1]**', `**${EMAIL}**`],
    ['(EMAIL_1)', `(${EMAIL})`],
    ['"EMAIL_1."', `"${EMAIL}."`],
    ['[ EMAIL_1 ]', EMAIL],
    ['[ EMAIL_1]', EMAIL],
    ['[EMAIL_1 ]', EMAIL],
    ['[[EMAIL_1]]', `[${EMAIL}]`],
    ['`EMAIL_1`', `\`${EMAIL}\``],
    ["EMAIL_1's inbox", `${EMAIL}'s inbox`],
    ['[SSN_US_1]', '078-05-1120'],
    ['Call [PHONE_1] or mail [EMAIL_1].', `Call +33 6 12 34 56 78 or mail ${EMAIL}.`],
  ])('restores %s', (input, expected) => {
    expect(restoreText(input, vaultWith())).toBe(expected)
  })

  it.each([
    'MY_EMAIL_1',
    'MY_EMAIL_10',
    'EMAIL_12',
    'EMAIL_10',
    'EMAIL_1x',
    'xEMAIL_1',
    '[EMAIL_2]',
    'EMAIL_01',
    'EMAIL 1',
    '[EMAIL]',
    'EMAIL_',
    '[EMA',
    '_1]',
    'SSN_US',
    'US_1',
  ])('leaves %s as written', (input) => {
    expect(restoreText(input, vaultWith())).toBe(input)
  })

  it('keeps a lone bracket and a bracket two spaces away', () => {
    const vault = vaultWith()
    expect(restoreText('[EMAIL_1', vault)).toBe(`[${EMAIL}`)
    expect(restoreText('EMAIL_1]', vault)).toBe(`${EMAIL}]`)
    expect(restoreText('[  EMAIL_1 ]', vault)).toBe(`[  ${EMAIL} ]`)
    expect(restoreText('[EMAIL_1  ]', vault)).toBe(`[${EMAIL}  ]`)
  })

  it('restores placeholders next to each other', () => {
    const vault = vaultWith()
    expect(restoreText('[EMAIL_1][PHONE_1]', vault)).toBe(`${EMAIL}+33 6 12 34 56 78`)
    expect(restoreText('[EMAIL_1 [PHONE_1]', vault)).toBe(`[${EMAIL} +33 6 12 34 56 78`)
    expect(restoreText('EMAIL_1,EMAIL_1', vault)).toBe(`${EMAIL},${EMAIL}`)
  })

  it('does not rescan a restored value that looks like a placeholder', () => {
    const vault = createPlaceholderVault()
    vault.placeholderFor('person', 'PERSON_2')
    vault.placeholderFor('person', 'Ada')
    expect(restoreText('[PERSON_1] [PERSON_2]', vault)).toBe('PERSON_2 Ada')
  })

  it('returns the text itself when the vault is empty', () => {
    expect(restoreText('[EMAIL_1]', createPlaceholderVault())).toBe('[EMAIL_1]')
  })

  it('distinguishes cores that share a prefix', () => {
    const vault = createPlaceholderVault()
    for (let i = 0; i < 12; i++) vault.placeholderFor('email', `u${i}@x.io`)
    expect(restoreText('EMAIL_1 EMAIL_12 EMAIL_13', vault)).toBe('u0@x.io u11@x.io EMAIL_13')
  })
})
