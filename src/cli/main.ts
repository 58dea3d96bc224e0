#!/usr/bin/env node
import { Command } from 'commander'
import { registerCheck } from './check.js'
import { registerKeys } from './keys.js'
import { registerLogs } from './logs.js'
import { registerServe } from './serve.js'
import { registerUsage } from './usage.js'
import { packageVersion } from './version.js'

const program = new Command()
  .name('gatehouse')
  .description('Gatehouse: the AI gateway and LLMOps control plane')
  .version(packageVersion(), '-v, --version')
  .showHelpAfterError('(run with --help for usage)')

registerServe(program)
registerCheck(program)
registerKeys(program)
registerLogs(program)
registerUsage(program)

await program.parseAsync(process.argv)
