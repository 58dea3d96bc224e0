import { type Command, InvalidArgumentError } from 'commander'
import { configPathFrom } from '../config/default-path.js'
import { ConfigError, startGatehouse } from '../main.js'

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the gateway')
    .option('-c, --config <file>', 'config file (default: $GATEHOUSE_CONFIG or ./gatehouse.yaml)')
    .option('-p, --port <n>', 'listen port (overrides server.port)', parsePort)
    .option('-H, --host <host>', 'listen address (overrides server.host)')
    .action(async (opts: { config?: string; port?: number; host?: string }) => {
      const configPath = configPathFrom(opts.config)
      let gatehouse: Awaited<ReturnType<typeof startGatehouse>>
      try {
        gatehouse = await startGatehouse({ configPath, port: opts.port, host: opts.host })
      } catch (err) {
        process.exitCode = 1
        if (err instanceof ConfigError) {
          process.stderr.write(
            `gatehouse: ${configPath} is not valid:\n${err.errors.map((e) => `  - ${e}\n`).join('')}`,
          )
          return
        }
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
          process.stderr.write(`gatehouse: cannot listen (${code}): ${(err as Error).message}\n`)
          return
        }
        throw err
      }
      const stop = (signal: string) => {
        gatehouse.logger.info({ signal }, 'signal received')
        gatehouse.close().then(
          () => process.exit(0),
          (err: unknown) => {
            gatehouse.logger.error({ err }, 'shutdown failed')
            process.exit(1)
          },
        )
      }
      process.once('SIGTERM', () => stop('SIGTERM'))
      process.once('SIGINT', () => stop('SIGINT'))
      process.on('SIGHUP', () => void gatehouse.reload())
      // Announced only once the handlers are in place: a SIGHUP sent by whoever waits for this line
      // would otherwise meet the default action and end the process.
      process.stderr.write(`gatehouse listening on ${gatehouse.url} (config: ${configPath})\n`)
    })
}

function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    // commander prints an InvalidArgumentError as a usage error; any other error escapes as a stack trace.
    throw new InvalidArgumentError(`invalid port "${value}" (expected 0-65535)`)
  return port
}
