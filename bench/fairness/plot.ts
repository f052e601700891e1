/**
 * The fairness chart: three panels over time (seconds since the phase start), from the per-window figures.
 * 1. Sluice with the flood: releases per second per tenant, stacked.
 * 2. Share / weighted fair share per window of the tenants backlogged in it: Sluice solid, FIFO dashed.
 * 3. p99 queue wait of quiet jobs sent in each window: Sluice, no flood, FIFO (clamped at the top).
 */
import { paletteColor, renderChart, type LineSeries, type PanelSpec } from "../lib/chart.ts";
import type { PhaseFigures } from "./measure.ts";

export interface PlotInput {
  readonly sluice: PhaseFigures;
  readonly noFlood: PhaseFigures;
  readonly fifo: PhaseFigures;
  /** Phase start of each (epoch ms), to put the windows on a common axis. */
  readonly t0: { readonly sluice: number; readonly noFlood: number; readonly fifo: number };
  readonly durationMs: number;
  readonly editAtMs: number | undefined;
}

const mid = (start: number, t0: number, windowMs: number) => (start - t0 + windowMs / 2) / 1000;

function shareLines(
  p: PhaseFigures,
  ids: readonly string[],
  t0: number,
  dashed: boolean,
  suffix: string,
): LineSeries[] {
  return ids.map((id) => {
    const i = p.tenants.findIndex((t) => t.id === id);
    return {
      label: `${id}${suffix}`,
      color: paletteColor(i),
      dashed,
      points: p.windows
        .filter((w) => Number.isFinite(w.ratios[i]))
        .map((w) => ({ x: mid(w.start, t0, p.windowMs), y: w.ratios[i]! })),
    };
  });
}

function waitLine(p: PhaseFigures, t0: number, label: string, color: number, dashed = false): LineSeries {
  return {
    label,
    color: paletteColor(color),
    dashed,
    points: p.windows.flatMap((w) =>
      w.quietP99 === undefined ? [] : [{ x: mid(w.start, t0, p.windowMs), y: w.quietP99 }],
    ),
  };
}

export function fairnessChart(input: PlotInput): Buffer {
  const { sluice, noFlood, fifo, t0 } = input;
  const xRange = [0, input.durationMs / 1000] as const;
  const perSecond = 1000 / sluice.windowMs;
  const edges = [...sluice.windows.map((w) => (w.start - t0.sluice) / 1000), input.durationMs / 1000];
  const stacks = sluice.tenants.map((t, i) => ({
    label: t.id,
    color: paletteColor(i),
    values: sluice.windows.map((w) => (w.dequeues[i] ?? 0) * perSecond),
  }));
  const peak = Math.max(1, ...sluice.windows.map((w) => w.dequeues.reduce((a, b) => a + b, 0) * perSecond));
  const waits = [
    waitLine(sluice, t0.sluice, "sluice (flood)", 0),
    waitLine(noFlood, t0.noFlood, "no flood", 2),
    waitLine(fifo, t0.fifo, "fifo (flood), clamped", 3, true),
  ];
  const sluiceMax = Math.max(0, ...waits[0]!.points.map((p) => p.y), ...waits[1]!.points.map((p) => p.y));
  const panels: PanelSpec[] = [
    {
      title: "Sluice with flood: releases/s per tenant",
      xLabel: "seconds",
      xRange,
      yRange: [0, Math.ceil(peak * 1.1)],
      stacked: { edges, series: stacks },
    },
    {
      title: "share / weighted fair share per window (solid sluice, dashed fifo)",
      xLabel: "seconds",
      xRange,
      yRange: [0, 2],
      refY: [1, 0.95],
      // FIFO for the same tenants only (its quiet tenants are backlogged too, at ratio 0).
      lines: [
        ...shareLines(sluice, sluice.backlogged, t0.sluice, false, ""),
        ...shareLines(fifo, sluice.backlogged, t0.fifo, true, " fifo"),
      ],
    },
    {
      title: "quiet tenants: p99 queue wait ms by send window",
      xLabel: "seconds",
      xRange,
      yRange: [0, Math.max(1200, Math.ceil((sluiceMax * 1.5) / 100) * 100)],
      refY: [1000],
      lines: waits,
    },
  ];
  if (input.editAtMs !== undefined) {
    const x = input.editAtMs / 1000;
    panels[0] = { ...panels[0]!, title: `${panels[0]!.title} (quota edit at ${x.toFixed(1)} s)` };
  }
  return renderChart({ title: "Sluice fairness benchmark", width: 1100, panelHeight: 280, panels });
}
