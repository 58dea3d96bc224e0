import type { BenchResults, TargetCheck } from './results.js'

/**
 * A self-contained SVG bar chart of the two numbers the targets care most about, per
 * concurrency: added p50 latency and CPU per request, the gateway's beside the bare proxy peer's,
 * each with its target as a dashed line.
 */

interface Panel {
  title: string
  /** One group per label: the peer's bar, the gateway's bar and, where one applies, the target. */
  bars: Array<{ label: string; value: number; peer: number; target?: number }>
  color: string
}

const PEER_COLOR = '#B0B0B0'

const WIDTH = 760
const HEIGHT = 350
const PANEL_WIDTH = 340
const PLOT_TOP = 90
const PLOT_HEIGHT = 200

export function renderChartSvg(results: BenchResults): string {
  const target = (id: TargetCheck['id']) => results.targets.find((t) => t.id === id)
  const split = results.beyondPeer
  const panels: Panel[] = [
    {
      // Only one connection: with more, the added latency is queueing at a saturated core.
      title: 'Added latency @1 conn, p50 (ms)',
      bars: [
        {
          label: 'answer',
          value: target('p50')?.measured ?? Number.NaN,
          peer: split.peerAddedP50Ms,
          target: target('p50')?.limit,
        },
        {
          label: 'first streamed byte',
          value: target('ttfb')?.measured ?? Number.NaN,
          peer: split.peerAddedTtfbMs,
          target: target('ttfb')?.limit,
        },
      ],
      color: '#4C78A8',
    },
    {
      title: 'CPU time per request (ms)',
      bars: results.nonStreaming.map((r) => ({
        label: `${r.connections} conn${r.connections === 1 ? '' : 's'}`,
        value: r.gateway.cost.cpuMsPerRequest,
        peer: r.peer.cost.cpuMsPerRequest,
        ...(r.connections === 16 ? { target: target('cpu')?.limit } : {}),
      })),
      color: '#F58518',
    },
  ]
  const subtitle =
    `Chat completions, gateway (colour) and a bare Node.js proxy (grey) vs direct, ` +
    `${results.targets[0]?.group ?? ''} targets, ${results.startedAt.slice(0, 16)}` +
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
    .map(
      (p) =>
        `${p.title}: ${p.bars.map((b) => `${b.label} gateway ${formatValue(b.value)}, bare proxy ${formatValue(b.peer)}`).join('; ')}`,
    )
    .join('; ')
}

function renderPanel(panel: Panel, left: number): string {
  const axis = niceAxis(
    Math.max(...panel.bars.flatMap((b) => [b.value, b.peer, b.target ?? 0]).filter(Number.isFinite)) * 1.1,
  )
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
    const width = slot * 0.32
    const x = left + i * slot + slot * 0.16
    const peerTop = y(bar.peer)
    const barTop = y(bar.value)
    parts.push(
      `<rect x="${x}" y="${peerTop}" width="${width}" height="${baseline - peerTop}" fill="${PEER_COLOR}"/>`,
      text(x + width / 2, peerTop - 6, formatValue(bar.peer), { size: 11, anchor: 'middle', fill: '#777' }),
      `<rect x="${x + width}" y="${barTop}" width="${width}" height="${baseline - barTop}" fill="${panel.color}"/>`,
      text(x + width * 1.5, barTop - 6, formatValue(bar.value), { size: 12, anchor: 'middle' }),
      text(x + width, baseline + 18, bar.label, { size: 12, anchor: 'middle' }),
    )
    if (bar.target !== undefined) {
      const targetY = y(bar.target)
      parts.push(
        `<line x1="${x - slot * 0.08}" x2="${x + width * 2 + slot * 0.08}" y1="${targetY}" y2="${targetY}" ${TARGET_STROKE}/>`,
        text(x + width * 2 + slot * 0.1, targetY + 4, `${bar.target}`, { size: 10, fill: '#D62728' }),
      )
    }
  })
  const legendY = baseline + 44
  parts.push(
    `<line x1="${left}" x2="${left + 28}" y1="${legendY - 4}" y2="${legendY - 4}" ${TARGET_STROKE}/>`,
    text(left + 34, legendY, 'target (ms)', { size: 11, fill: '#D62728' }),
    `<rect x="${left + 110}" y="${legendY - 10}" width="10" height="10" fill="${PEER_COLOR}"/>`,
    text(left + 124, legendY, 'bare proxy', { size: 11, fill: '#555' }),
    `<rect x="${left + 200}" y="${legendY - 10}" width="10" height="10" fill="${panel.color}"/>`,
    text(left + 214, legendY, 'gateway', { size: 11, fill: '#555' }),
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
