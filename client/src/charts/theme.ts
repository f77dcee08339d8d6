import type uPlot from 'uplot';

/** Chart ink for the dark theme: high-contrast axes; font sizes scale up for the projector. */
export const INK = { text: '#f2f4f8', dim: '#b4bccb', grid: '#2c3442', bg: '#0b0e14' } as const;

export function axisX(fontPx: number): uPlot.Axis {
  return {
    stroke: INK.dim,
    font: `${fontPx}px system-ui, sans-serif`,
    grid: { stroke: INK.grid, width: 1 },
    ticks: { stroke: INK.grid, width: 1, size: 6 },
    size: fontPx * 2 + 6,
    // Room for a label like "1:05:00" at this font size between ticks, however wide the chart gets.
    space: fontPx * 4,
    values: (_u, splits) => splits.map((s) => `${Math.round(s)}s`),
  };
}

export function axisMiB(fontPx: number, side: 1 | 3 = 3): uPlot.Axis {
  return {
    side,
    stroke: INK.dim,
    font: `${fontPx}px system-ui, sans-serif`,
    grid: { stroke: INK.grid, width: 1 },
    ticks: { stroke: INK.grid, width: 1, size: 6 },
    size: Math.round(fontPx * 5 + 12),
    // At least three ticks on a short chart: "0 GiB" alone says nothing.
    space: Math.round(fontPx * 2),
    // Powers of two in MiB, so ticks land on 256 MiB, 1 GiB, 4 GiB … rather than on 2500 MiB.
    incrs: [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072],
    values: (u, splits) => {
      const max = u.scales['y']?.max ?? 0;
      return splits.map((s) => (max >= 3072 ? `${+(s / 1024).toFixed(1)} GiB` : `${Math.round(s)} MiB`));
    },
  };
}

/** Sliding window: the x scale shows the latest `windowSec` seconds (or from 0 until then). */
export function slidingX(windowSec: number): uPlot.Scale {
  return {
    time: false,
    range: (u) => {
      const xs = u.data[0];
      const last = xs.length ? (xs[xs.length - 1] as number) : 0;
      const max = Math.max(windowSec, last);
      return [max - windowSec, max];
    },
  };
}
