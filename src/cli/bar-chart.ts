/** Eighths of a character cell, so bars differ by less than one character. */
const PARTS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉']

export interface Bar {
  label: string
  value: number
  /** The value as printed after the bar. */
  text: string
}

/**
 * A horizontal bar chart in Unicode block characters: labels, bars and values each in their own
 * aligned column, the longest bar `width` cells. A non-zero value always gets a sliver.
 */
export function barChart(bars: readonly Bar[], width = 40): string[] {
  const max = Math.max(0, ...bars.map((b) => b.value))
  const labelWidth = Math.max(0, ...bars.map((b) => b.label.length))
  const textWidth = Math.max(0, ...bars.map((b) => b.text.length))
  return bars.map((b) => {
    const eighths = max > 0 ? Math.round((b.value / max) * width * 8) : 0
    const cells = '█'.repeat(Math.floor(eighths / 8)) + PARTS[eighths % 8]!
    const bar = b.value > 0 && cells === '' ? PARTS[1]! : cells
    return `${b.label.padEnd(labelWidth)}  ${bar.padEnd(width)}  ${b.text.padStart(textWidth)}`
  })
}
