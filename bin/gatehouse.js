#!/usr/bin/env node
// The CLI runs from the compiled output; `npm ci` builds it (the `prepare` script).
import { existsSync } from 'node:fs'

const entry = new URL('../dist/src/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write('gatehouse: not built yet; run `npm run build` (npm ci does it) and try again\n')
  process.exit(1)
}
await import(entry.href)
