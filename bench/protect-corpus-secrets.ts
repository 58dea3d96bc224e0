import { ALNUM, hex, int, pick, type Rng, token } from './protect-corpus-values.js'

const B64 = `${ALNUM}+/`
const B64URL = `${ALNUM}-_`
const b64url = (s: string): string => Buffer.from(s).toString('base64url')

/** One generated secret per kind, shaped like the real thing (prefix, alphabet, length). */
export const SECRET_MAKERS: Record<string, (rng: Rng) => string> = {
  'aws-access-key-id': (r) => `AKIA${token(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
  'github-pat': (r) => `ghp_${token(r, ALNUM, 36)}`,
  'github-oauth': (r) => `gho_${token(r, ALNUM, 36)}`,
  'github-fine-grained-pat': (r) => `github_pat_${token(r, ALNUM, 22)}_${token(r, ALNUM, 59)}`,
  'gitlab-pat': (r) => `glpat-${token(r, `${ALNUM}-_`, 20)}`,
  'slack-token': (r) =>
    `xox${pick(r, ['b', 'p'])}-${int(r, 1e10, 9e10)}-${int(r, 1e10, 9e10)}-${token(r, ALNUM, 24)}`,
  'stripe-secret-key': (r) => `${pick(r, ['sk', 'rk'])}_live_${token(r, ALNUM, 24)}`,
  'gcp-api-key': (r) => `AIza${token(r, `${ALNUM}-_`, 35)}`,
  'openai-api-key': (r) => `sk-proj-${token(r, `${ALNUM}-_`, 74)}T3BlbkFJ${token(r, `${ALNUM}-_`, 74)}`,
  'anthropic-api-key': (r) => `sk-ant-api03-${token(r, `${ALNUM}-_`, 93)}AA`,
  'twilio-api-key': (r) => `SK${hex(r, 32)}`,
  'sendgrid-api-key': (r) => `SG.${token(r, `${ALNUM}-_`, 22)}.${token(r, `${ALNUM}-_`, 43)}`,
  'npm-access-token': (r) => `npm_${token(r, ALNUM, 36)}`,
  jwt: (r) =>
    `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(`{"sub":"${int(r, 1000, 99999)}","name":"user${int(r, 1, 999)}","iat":${int(r, 1.6e9, 1.8e9)}}`)}.${token(r, B64URL, 43)}`,
  'private-key': (r) => {
    const kind = pick(r, ['RSA ', 'EC ', 'OPENSSH ', ''])
    const lines = Array.from({ length: int(r, 3, 8) }, () => token(r, B64, 64)).join('\n')
    return `-----BEGIN ${kind}PRIVATE KEY-----\n${lines}\n-----END ${kind}PRIVATE KEY-----`
  },
}

/** Text around a secret: where people paste them. */
export const SECRET_TEMPLATES: readonly string[] = [
  'Here is my key {v}, why does the API return 401?',
  'export TOKEN={v}',
  'curl -H "Authorization: Bearer {v}" https://api.example.com/v1/items',
  'config:\n  credentials: {v}\n  region: eu-west-1',
  'The CI log printed {v} before failing.',
  'Mon jeton est {v} mais il ne marche plus.',
  'Der Schlüssel lautet {v} und läuft morgen ab.',
  '{v}',
]

export const PASSWORD_TEMPLATES: readonly string[] = [
  'password={v}',
  'DB_PASSWORD: "{v}"',
  'my password is {v} can you check the login flow',
  'mot de passe : {v}',
  'Passwort: {v}',
  'contraseña = {v}',
]

export const KEYWORD_TEMPLATES: readonly string[] = [
  'api_key = "{v}"',
  'client_secret: {v}',
  'SECRET_TOKEN={v}',
  '"access_key": "{v}",',
]

export const password = (r: Rng): string =>
  pick(r, [
    token(r, ALNUM, int(r, 8, 14)),
    `${pick(r, ['Summer', 'Paris', 'Hunter', 'Dragon'])}${int(r, 10, 2025)}!`,
    token(r, `${ALNUM}!@#%^&*`, 12),
  ])

export const highEntropy = (r: Rng): string =>
  pick(r, [hex(r, 40), token(r, ALNUM, 32), token(r, B64URL, 40)])

export const AWS_SECRET = (r: Rng): string => token(r, `${ALNUM}/+`, 40)
