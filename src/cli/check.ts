import type { Command } from 'commander'
import { configPathFrom } from '../config/default-path.js'
import { loadConfigFile } from '../config/load.js'

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('validate a config file without serving; exits 1 with the errors if it is invalid')
    .option('-c, --config <file>', 'config file (default: $GATEHOUSE_CONFIG or ./gatehouse.yaml)')
    .action(async (opts: { config?: string }) => {
      const path = configPathFrom(opts.config)
      const result = await loadConfigFile(path, process.env)
      if (!result.ok) {
        process.stderr.write(`${path}: ${result.errors.length} error${result.errors.length > 1 ? 's' : ''}\n`)
        for (const error of result.errors) process.stderr.write(`  - ${error}\n`)
        process.exitCode = 1
        return
      }
      const { providers, models, routes } = result.config
      const count = (o: object, noun: string) => {
        const n = Object.keys(o).length
        return `${n} ${noun}${n === 1 ? '' : 's'}`
      }
      const rules = result.config.rules.length
      process.stdout.write(
        `${path}: OK (${count(providers, 'provider')}, ${count(models, 'model')}, ${count(routes, 'route')}, ` +
          `${rules} rule${rules === 1 ? '' : 's'})\n`,
      )
    })
}
