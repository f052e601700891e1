import type { ProvisionReport } from "./provision.ts";

/** Lines listed one by one up to this many items; above it, counts per kind unless `verbose`. */
export const LIST_LIMIT = 100;

/**
 * Human-readable lines: every created item, then every found one (or, for many items, how many of
 * each kind), then a summary that says when the run changed nothing.
 */
export function formatProvisionReport(report: ProvisionReport, options: { verbose?: boolean } = {}): string {
  const items = report.created.length + report.found.length;
  const lines =
    options.verbose === true || items <= LIST_LIMIT
      ? [...report.created.map((c) => `created  ${c}`), ...report.found.map((f) => `found    ${f}`)]
      : [...byKind("created ", report.created), ...byKind("found   ", report.found)];
  const summary = `provisioned: ${report.created.length} created, ${report.found.length} already present`;
  lines.push(report.created.length === 0 ? `${summary} (nothing changed)` : summary);
  return lines.join("\n");
}

/** `created  2000 queue, 1000 quota` style counts by the item's first word. */
function byKind(label: string, items: readonly string[]): string[] {
  if (items.length === 0) return [];
  const counts = new Map<string, number>();
  for (const item of items) {
    const kind = item.split(" ")[0] ?? item;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [`${label} ${[...counts].map(([k, n]) => `${n} ${k}`).join(", ")}`];
}
