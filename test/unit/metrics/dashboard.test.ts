import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { MetricObjectWithValues, MetricValue } from "prom-client";
import { SluiceMetrics } from "../../../shared/metrics/sluice-metrics.ts";

/**
 * The Grafana dashboard shipped in docs/grafana/ queries exactly the series Sluice exports: every
 * metric name an expression references exists (histograms as `_bucket` / `_sum` / `_count`), and every
 * label it selects on or groups by is one of that metric's labels.
 */
const DASHBOARD = resolve(import.meta.dirname, "../../../docs/grafana/sluice-dashboard.json");

interface Target {
  expr: string;
}
interface Panel {
  title: string;
  targets?: Target[];
}

async function exportedSeries(): Promise<Map<string, Set<string>>> {
  const metrics = new SluiceMetrics({ service: "test" });
  const series = new Map<string, Set<string>>();
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const m = await (
      metric as unknown as { get(): Promise<MetricObjectWithValues<MetricValue<string>>> }
    ).get();
    const declared = (metric as unknown as { labelNames?: readonly string[] }).labelNames ?? [];
    const labels = new Set<string>([
      "instance",
      "job",
      ...declared,
      ...m.values.flatMap((v) => Object.keys(v.labels)),
    ]);
    if (String(m.type) === "histogram") {
      series.set(`${m.name}_bucket`, new Set([...labels, "le"]));
      series.set(`${m.name}_sum`, labels);
      series.set(`${m.name}_count`, labels);
    } else series.set(m.name, labels);
  }
  return series;
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as {
  panels: Panel[];
  templating: { list: { query?: unknown; definition?: string }[] };
};
const exprs = [
  ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr }))),
  ...dashboard.templating.list.flatMap((v) =>
    v.definition !== undefined ? [{ panel: "variable", expr: v.definition }] : [],
  ),
];
const METRIC = /\b((?:sluice|process|nodejs)_[a-z0-9_]+)\b/g;

describe("Grafana dashboard", () => {
  it("has panels with queries", () => {
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
    expect(exprs.length).toBeGreaterThanOrEqual(dashboard.panels.length);
  });

  it("references only metrics Sluice exports", async () => {
    const series = await exportedSeries();
    const unknown = exprs.flatMap(({ panel, expr }) =>
      [...expr.matchAll(METRIC)]
        .map((m) => m[1]!)
        .filter((name) => !series.has(name))
        .map((n) => `${panel}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it("selects and groups by labels those metrics have", async () => {
    const series = await exportedSeries();
    const problems: string[] = [];
    for (const { panel, expr } of exprs) {
      const names = [...expr.matchAll(METRIC)].map((m) => m[1]!);
      const labels = series.get(names[0] ?? "") ?? new Set<string>();
      const used = [
        ...[...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
          m[1]!.split(",").flatMap((sel) => {
            const name = /^\s*([a-z_]+)\s*(=~|!=|!~|=)/.exec(sel)?.[1];
            return name ? [name] : [];
          }),
        ),
        ...[...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(",").map((s) => s.trim())),
        ...[...expr.matchAll(/label_values\([a-z_]+, ([a-z_]+)\)/g)].map((m) => m[1]!),
      ];
      for (const label of used)
        if (!labels.has(label)) problems.push(`${panel}: ${names[0]} has no label ${label}`);
    }
    expect(problems).toEqual([]);
  });

  it("a renamed metric would be caught", async () => {
    const series = await exportedSeries();
    expect(series.has("sluice_tenant_fleet_share")).toBe(true);
    expect(series.has("sluice_tenant_share")).toBe(false);
    expect(series.get("sluice_scheduler_queue_wait_seconds_bucket")?.has("tenant")).toBe(true);
  });
});
