/** `--config`, else `GATEHOUSE_CONFIG`, else `gatehouse.yaml` in the working directory. */
export function configPathFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env['GATEHOUSE_CONFIG'] ?? 'gatehouse.yaml'
}
