/**
 * `tenants list` keeps its columns aligned when a status has a reason (issue 14 snag): a reason is
 * free text — a newline in it used to split the row in two, a long one pushed every later column,
 * a wide character counted as one column. Each data line must start every column where the header
 * line starts it.
 */
import { describe, expect, it } from "vitest";
import { parseQuota } from "../../../scheduler/quota/schema.ts";
import { displayWidth, formatTable } from "../../../scheduler/cli/table.ts";
import { LIST_HEADERS, listCells, type TenantRow } from "../../../scheduler/cli/tenants-report.ts";

function row(tenant: string, status: string, reason?: string): TenantRow {
  const parsed = parseQuota({
    tenantId: tenant,
    status,
    ...(reason !== undefined ? { reason } : {}),
    tier: "shared",
    weight: 1,
    maxConcurrency: 10,
    minConcurrency: 0,
    rate: { perSecond: 50, burst: 100 },
    updatedAt: new Date(0),
    version: 1,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return {
    tenant,
    quota: parsed.quota,
    running: 0,
    releasedToday: 0,
    queued: 0,
    backlog: 0,
    stats: undefined,
    problems: [],
  };
}

/** The display column where each header's column starts on `line`, found from the header line. */
function columnStarts(header: string): number[] {
  return LIST_HEADERS.map((h) => displayWidth(header.slice(0, header.indexOf(h))));
}

describe("tenants list alignment", () => {
  it("a reason with a newline, a long reason and a wide character keep every column in place", () => {
    const rows = [
      row("acme", "active"),
      row("globex", "paused", "billing overdue\nsee ticket 42\tnow"),
      row("initech", "suspended", "x".repeat(300)),
      row("umbrella", "paused", "请求过多 — 稍后"),
    ];
    const text = formatTable(LIST_HEADERS, rows.map(listCells));
    const lines = text.split("\n");
    expect(lines).toHaveLength(rows.length + 1);
    const starts = columnStarts(lines[0]!);
    // TIER is the column after STATUS: every line has its tier value exactly under the header.
    const tierAt = starts[LIST_HEADERS.indexOf("TIER")]!;
    for (const line of lines.slice(1)) {
      const at = line.indexOf("  shared") + 2;
      expect(displayWidth(line.slice(0, at)), line).toBe(tierAt);
    }
    expect(lines[2]).toContain("paused (billing overdue see ticket 42 now)");
    expect(lines[3]).toContain(`suspended (${"x".repeat(39)}…)`);
  });
});
