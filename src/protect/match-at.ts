/**
 * `re` matched exactly at `at`, reading at most `window` characters. `re` must start with `^` and
 * carry neither the g nor the y flag: then it keeps no `lastIndex`, so a module-level constant holds
 * no state. The window must exceed the longest match by what a trailing lookahead needs to see.
 */
export const matchAt = (re: RegExp, text: string, at: number, window: number): RegExpExecArray | null =>
  re.exec(text.slice(at, at + window))
