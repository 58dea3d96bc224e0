import { type FSWatcher, watch } from 'node:fs'
import { basename, dirname } from 'node:path'

/**
 * Call `onChange` after the config file changes. The directory is watched, not the file, because
 * editors and `kubectl`-mounted ConfigMaps replace files by rename, which ends a watch on the file.
 * Bursts of events (write + rename + chmod) are debounced into one call.
 */
export function watchConfig(path: string, onChange: () => void, debounceMs = 150): { close(): void } {
  const file = basename(path)
  let timer: NodeJS.Timeout | undefined
  let watcher: FSWatcher | undefined = watch(dirname(path), { persistent: false }, (_event, name) => {
    // Kubernetes swaps a `..data` symlink, so any change in the directory may be ours.
    if (name !== null && name !== file && !name.startsWith('..')) return
    clearTimeout(timer)
    timer = setTimeout(onChange, debounceMs)
  })
  watcher.on('error', () => {
    watcher?.close()
    watcher = undefined
  })
  return {
    close() {
      clearTimeout(timer)
      watcher?.close()
      watcher = undefined
    },
  }
}
