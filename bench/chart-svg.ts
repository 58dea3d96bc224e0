import type { BenchResults } from './results.js'

/**
 * A self-contained SVG bar chart of the two numbers the targets care most about, per
 * concurrency: added p50 latency and gateway CPU per request, each with its target as a dashed line.
 */

interface Panel {
  title: string
  bars: Array<{ label: string; value: number }>
  target: { value: number; label: string }
  color: string
}

const WIDTH = 760
const HEIGHT = 350
const PANEL_WIDTH = 340
const PLOT_TOP = 90
const PLOT_HEIGHT = 200

export function renderChartSvg(results: BenchResults): string {
  const bars = (pick: (r: BenchResults['nonStreaming'][number]) => number) =>
    results.nonStreaming.map((r) => ({
      label: `${r.connections} conn${r.connections === 1 ? '' : 's'}`,
      value: pick(r),
    }))
  const panels: Panel[] = [
    {
      title: 'Added p50 latency (ms)',
      bars: bars((r) => r.gateway.latency.p50Ms - r.direct.latency.p50Ms),
      target: { value: 0.25, label: 'target @1 conn' },
      color: '#4C78A8',
    },
    {
      title: 'Gateway CPU time per request (ms)',
      bars: bars((r) => r.gateway.cost.cpuMsPerRequest),
      target: { value: 0.25, label: 'target @16 conns' },
      color: '#F58518',
    },
  ]
  const subtitle =
    `Non-streaming chat completions via the gateway vs direct, ${results.startedAt}` +
    (results.isValid ? '' : ' (INVALID RUN)')
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" role="img">`,
    `<title>${escapeXml(describe(panels))}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    text(20, 30, 'Gatehouse benchmark', { size: 18, weight: 'bold' }),
    text(20, 52, subtitle, { size: 12, fill: '#555' }),
    ...panels.map((panel, i) => renderPanel(panel, 40 + i * (PANEL_WIDTH + 40))),
    '</svg>',
    '',
  ].join('\n')
}

/** The chart as a sentence, for screen readers and for anyone reading the file as text. */
function describe(panels: Panel[]): string {
  return panels
    .map((p) => `${p.title}: ${p.bars.map((b) => `${b.label} ${formatValue(b.value)}`).join(', ')}`)
    .join('; ')
}

function renderPanel(panel: Panel, left: number): string {
  const axis = niceAxis(Math.max(panel.target.value, ...panel.bars.map((b) => b.value)) * 1.1)
  const baseline = PLOT_TOP + PLOT_HEIGHT
  const y = (value: number) => baseline - (Math.max(0, value) / axis.top) * PLOT_HEIGHT
  const slot = PANEL_WIDTH / panel.bars.length
  const parts = [text(left, PLOT_TOP - 16, panel.title, { size: 14, weight: 'bold' })]
  for (let value = 0; value <= axis.top + axis.step / 2; value += axis.step) {
    parts.push(
      `<line x1="${left}" x2="${left + PANEL_WIDTH}" y1="${y(value)}" y2="${y(value)}" stroke="#e5e5e5"/>`,
      text(left - 6, y(value) + 4, value.toFixed(axis.decimals), { size: 10, fill: '#777', anchor: 'end' }),
    )
  }
  panel.bars.forEach((bar, i) => {
    const x = left + i * slot + slot * 0.2
    const width = slot * 0.6
    const barTop = y(bar.value)
    parts.push(
      `<rect x="${x}" y="${barTop}" width="${width}" height="${baseline - barTop}" fill="${panel.color}"/>`,
      text(x + width / 2, barTop - 6, formatValue(bar.value), { size: 12, anchor: 'middle' }),
      text(x + width / 2, baseline + 18, bar.label, { size: 12, anchor: 'middle' }),
    )
  })
  const targetY = y(panel.target.value)
  const legendY = baseline + 44
  parts.push(
    `<line x1="${left}" x2="${left + PANEL_WIDTH}" y1="${targetY}" y2="${targetY}" ${TARGET_STROKE}/>`,
    `<line x1="${left}" x2="${left + 28}" y1="${legendY - 4}" y2="${legendY - 4}" ${TARGET_STROKE}/>`,
    text(left + 34, legendY, `${panel.target.label}: ${panel.target.value} ms`, {
      size: 11,
      fill: '#D62728',
    }),
    `<line x1="${left}" x2="${left + PANEL_WIDTH}" y1="${baseline}" y2="${baseline}" stroke="#333"/>`,
  )
  return parts.join('\n')
}

const TARGET_STROKE = 'stroke="#D62728" stroke-width="1.5" stroke-dasharray="6 4"'

/** Four or five gridlines at round values (1, 2, 2.5 or 5 times a power of ten) up to `max`. */
function niceAxis(max: number): { top: number; step: number; decimals: number } {
  if (!(max > 0)) return { top: 1, step: 0.25, decimals: 2 }
  const rough = max / 4
  const power = 10 ** Math.floor(Math.log10(rough))
  const multiple = [1, 2, 2.5, 5, 10].find((m) => m * power >= rough) ?? 10
  const step = multiple * power
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + (multiple === 2.5 ? 1 : 0))
  return { top: Math.ceil(max / step) * step, step, decimals }
}

function formatValue(value: number): string {
  return Number.isFinite(value) ? value.toFixed(value !== 0 && Math.abs(value) < 0.1 ? 3 : 2) : 'n/a'
}

function text(
  x: number,
  y: number,
  content: string,
  style: { size: number; weight?: string; fill?: string; anchor?: string },
): string {
  const attributes = [
    `x="${x}"`,
    `y="${y}"`,
    `font-size="${style.size}"`,
    style.weight ? `font-weight="${style.weight}"` : '',
    `fill="${style.fill ?? '#222'}"`,
    style.anchor ? `text-anchor="${style.anchor}"` : '',
  ].filter(Boolean)
  return `<text ${attributes.join(' ')}>${escapeXml(content)}</text>`
}

function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
