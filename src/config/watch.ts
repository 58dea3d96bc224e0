import { type FSWatcher, watch } from 'node:fs'

export interface WatchOptions {
  /** Bursts of events (write + rename + chmod) within this window make one call. */
  debounceMs?: number
  /** How often to look again for a config file that is missing (mid-rename, or removed). */
  retryMs?: number
}

/**
 * Call `onChange` after the config file changes. The file itself is watched, not its directory:
 * a directory watch wakes the process for every write to every file beside the config (the
 * SQLite store's WAL, when the store lives there, hundreds of times a second under load).
 * Editors and `kubectl`-mounted ConfigMaps replace the file by rename (a ConfigMap swaps a
 * `..data` symlink and deletes the old target), which ends a watch on the old file; so after
 * every burst the watch is made again on whatever the path names now, and only then is
 * `onChange` called, so no change between the two is missed.
 */
export function watchConfig(
  path: string,
  onChange: () => void,
  { debounceMs = 150, retryMs = 500 }: WatchOptions = {},
): { close(): void } {
  let watcher: FSWatcher | undefined
  let debounce: NodeJS.Timeout | undefined
  let retry: NodeJS.Timeout | undefined
  let isClosed = false

  const arm = (): boolean => {
    watcher?.close()
    watcher = undefined
    if (isClosed) return false
    try {
      // inotify follows symlinks: the watch is on the file the path names at this moment.
      watcher = watch(path, { persistent: false }, onEvent)
      // A watch that breaks (its file went away) is handled like a change: made again, reported.
      watcher.on('error', onEvent)
      return true
    } catch {
      return false
    }
  }

  function rearmThenReport(): void {
    if (isClosed) return
    if (arm()) onChange()
    else lookAgainLater()
  }

  function lookAgainLater(): void {
    clearTimeout(retry)
    retry = setTimeout(rearmThenReport, retryMs)
    retry.unref()
  }

  function onEvent(): void {
    clearTimeout(debounce)
    debounce = setTimeout(rearmThenReport, debounceMs)
    debounce.unref()
  }

  if (!arm()) lookAgainLater()
  return {
    close() {
      isClosed = true
      clearTimeout(debounce)
      clearTimeout(retry)
      watcher?.close()
      watcher = undefined
    },
  }
}
