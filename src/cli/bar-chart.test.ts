import { describe, expect, it } from 'vitest'
import { barChart } from './bar-chart.js'

describe('barChart', () => {
  it('scales bars to the largest, in eighths, with labels and values aligned', () => {
    const lines = barChart(
      [
        { label: 'a', value: 8, text: '8' },
        { label: 'bbb', value: 1, text: '1' },
        { label: 'cc', value: 0, text: '0' },
        { label: 'd', value: 4.5, text: '4.5' },
      ],
      4,
    )
    expect(lines).toEqual(['a    ████    8', 'bbb  ▌       1', 'cc           0', 'd    ██▎   4.5'])
  })

  it('gives a tiny non-zero value a sliver, and draws nothing when all are zero', () => {
    expect(
      barChart(
        [
          { label: 'x', value: 1000, text: '' },
          { label: 'y', value: 0.001, text: '' },
        ],
        10,
      )[1],
    ).toBe('y  ▏           ')
    expect(barChart([{ label: 'z', value: 0, text: '0' }], 3)).toEqual(['z       0'])
  })
})
