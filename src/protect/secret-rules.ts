/**
 * Secret patterns, anchored at a known prefix. A curated subset ported from gitleaks'
 * `config/gitleaks.toml` (https://github.com/gitleaks/gitleaks, MIT licence, Copyright (c) 2019
 * Zachary Rice), simplified to JavaScript syntax; see the README for the licence note. Each pattern
 * is anchored: it is tried only where the scanner's trigger found its prefix.
 */
export interface SecretRule {
  rule: string
  /** Anchored pattern matched at the trigger position (no g or y flag: stateless). */
  pattern: RegExp
}

const rule = (name: string, source: string, flags = ''): SecretRule => ({
  rule: name,
  pattern: new RegExp(`^(?:${source})`, flags),
})

export const SECRET_RULES: readonly SecretRule[] = [
  rule('aws-access-key-id', '(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])'),
  rule('github-pat', 'ghp_[0-9a-zA-Z]{36}(?![A-Za-z0-9])'),
  rule('github-oauth', 'gho_[0-9a-zA-Z]{36}(?![A-Za-z0-9])'),
  rule('github-app-token', '(?:ghu|ghs)_[0-9a-zA-Z]{36}(?![A-Za-z0-9])'),
  rule('github-refresh-token', 'ghr_[0-9a-zA-Z]{36}(?![A-Za-z0-9])'),
  rule('github-fine-grained-pat', 'github_pat_[0-9a-zA-Z_]{82}(?![A-Za-z0-9_])'),
  rule('gitlab-pat', 'glpat-[0-9a-zA-Z_-]{20,}'),
  rule('slack-token', 'xox[abposr]-(?:[0-9]{10,13}-){1,3}[a-zA-Z0-9-]{8,}'),
  rule('slack-app-token', 'xapp-\\d-[A-Z0-9]+-\\d+-[a-z0-9]+', 'i'),
  rule('stripe-secret-key', '(?:sk|rk)_(?:live|test|prod)_[a-zA-Z0-9]{10,99}(?![A-Za-z0-9])'),
  rule('gcp-api-key', 'AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])'),
  rule('anthropic-api-key', 'sk-ant-(?:api|admin)\\d\\d-[a-zA-Z0-9_-]{80,}'),
  rule('openai-api-key', 'sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}'),
  // Newer OpenAI project keys do not always carry the T3BlbkFJ marker: long keys only.
  rule('openai-api-key', 'sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}'),
  rule('twilio-api-key', 'SK[0-9a-fA-F]{32}(?![A-Za-z0-9])'),
  rule('sendgrid-api-key', 'SG\\.[0-9A-Za-z_-]{22}\\.[0-9A-Za-z_-]{43}'),
  rule('npm-access-token', 'npm_[a-zA-Z0-9]{36}(?![A-Za-z0-9])'),
  rule(
    'private-key',
    '-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\\s\\S]{64,16384}?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----',
  ),
  rule('jwt', 'eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}'),
]

/**
 * The prefixes above, for the scanner's single-pass trigger. Kept beside the rules so a new rule
 * cannot be forgotten in the trigger.
 */
// The leading \b makes most positions inside words fail on one test (measured: +18% for the pass).
export const SECRET_PREFIX_SOURCE =
  '(?:\\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|xapp-|[sr]k_(?:live|test|prod)_|AIza|sk-|SK[0-9a-fA-F]{32}|SG\\.|npm_|eyJ)|-----BEGIN)'
