/**
 * The fairness benchmark's report: definitions, per-tenant shares and waits for the three phases,
 * the headline figures against their targets, and the final line
 *   fairness: min-share S, jain J, quiet-p99-ratio Q, quiet-p99-ms P, idle-pct I, quota-apply-ms A
 * where every figure is Sluice's (phase c, with the flood) and Q divides by the no-flood phase (a).
 */
import { formatTable } from "../lib/table.ts";
import type { PhaseFigures, TenantFigures, Waits } from "./measure.ts";
import type { Scenario } from "./scenario.ts";

export interface Headline {
  readonly minShare: number | undefined;
  readonly jain: number | undefined;
  readonly quietP99Ratio: number | undefined;
  readonly quietP99Ms: number | undefined;
  readonly idlePct: number;
  readonly quotaApplyMs: number | undefined;
}

export interface Check {
  readonly figure: string;
  readonly value: string;
  readonly target: string;
  readonly met: boolean;
}

export const DEFINITIONS = [
  "Definitions (one clock; W = measurement window after warm-up, cut into share windows):",
  "- dequeue: the scheduler's release (job document created) for Sluice; a worker's claim for FIFO (no scheduler).",
  "- share ratio: per window, capacity = all dequeues; demand = dequeues + still queued at the window's end",
  "  (only dequeues if the tenant was at its cap at any moment of the window); fair share = weighted max-min",
  "  (water-filling) split of the capacity over the demands. Ratio = sum received / sum fair share over the",
  "  windows in which the tenant had queued work throughout and was never at its cap (scheduler/fairshare/share-meter.ts).",
  "- backlogged tenant: one with at least one such window. min-share: lowest ratio; jain: Jain's index of the ratios.",
  "- quiet wait: quiet tenants' jobs sent in W (minus the last 2 s): release - send (send = producer clock just",
  "  before SendMessage); start wait = worker claim - send. Jobs not dequeued by the end count as end - send (lower bound).",
  "- quiet-p99-ratio: Sluice's pooled quiet p99 release wait with the flood / without it (phase a).",
  "- idle-pct: idle worker-slot time (sampled every 20 ms) while some tenant had queued work under its cap, over",
  "  all slot time in W; split into 'released work waiting in the work queue' (worker-side) and 'nothing released' (scheduler-side).",
  "- quota-apply-ms: from the MongoDB write raising the capped tenant's maxConcurrency to its first release",
  "  that takes its running count (released, not finished) above the old cap.",
  "- phases run one after another (fifo, sluice, no-flood) on a shared machine: the no-flood baseline is a",
  "  separate run, so load drift between phases shows up in quiet-p99-ratio.",
];

export function headline(sluice: PhaseFigures, noFlood: PhaseFigures): Headline {
  const p99 = sluice.quietRelease.p99;
  const base = noFlood.quietRelease.p99;
  return {
    minShare: sluice.minShare,
    jain: sluice.jain,
    quietP99Ratio: p99 !== undefined && base !== undefined && base > 0 ? p99 / base : undefined,
    quietP99Ms: p99,
    idlePct: sluice.idle.pct,
    quotaApplyMs: sluice.quotaApplyMs,
  };
}

const fmt = (v: number | undefined, digits: number): string => (v === undefined ? "n/a" : v.toFixed(digits));

export function checks(h: Headline): Check[] {
  const le = (v: number | undefined, max: number) => v !== undefined && v <= max;
  const ge = (v: number | undefined, min: number) => v !== undefined && v >= min;
  return [
    { figure: "min-share", value: fmt(h.minShare, 3), target: ">= 0.95", met: ge(h.minShare, 0.95) },
    { figure: "jain", value: fmt(h.jain, 4), target: ">= 0.99", met: ge(h.jain, 0.99) },
    {
      figure: "quiet-p99-ratio",
      value: fmt(h.quietP99Ratio, 2),
      target: "<= 2",
      met: le(h.quietP99Ratio, 2),
    },
    { figure: "quiet-p99-ms", value: fmt(h.quietP99Ms, 0), target: "< 1000", met: le(h.quietP99Ms, 999.999) },
    { figure: "idle-pct", value: fmt(h.idlePct, 2), target: "< 1", met: h.idlePct < 1 },
    {
      figure: "quota-apply-ms",
      value: fmt(h.quotaApplyMs, 0),
      target: "<= 2000",
      met: le(h.quotaApplyMs, 2000),
    },
  ];
}

export function finalLine(h: Headline): string {
  return (
    `fairness: min-share ${fmt(h.minShare, 3)}, jain ${fmt(h.jain, 4)}, quiet-p99-ratio ${fmt(h.quietP99Ratio, 2)}, ` +
    `quiet-p99-ms ${fmt(h.quietP99Ms, 0)}, idle-pct ${fmt(h.idlePct, 2)}, quota-apply-ms ${fmt(h.quotaApplyMs, 0)}`
  );
}

function waitCell(w: Waits, which: "p50" | "p99"): string {
  const v = w[which];
  if (v === undefined) return "-";
  return `${w.censored > 0 ? ">=" : ""}${Math.round(v)}`;
}

function shareCell(t: TenantFigures | undefined): string {
  if (t === undefined || t.shareRatio === undefined) return "-";
  return `${t.shareRatio.toFixed(3)} (${t.shareWindows})`;
}

export function printReport(
  s: Scenario,
  phases: { noFlood: PhaseFigures; fifo: PhaseFigures; sluice: PhaseFigures },
): Check[] {
  const { noFlood, fifo, sluice } = phases;
  const out: string[] = [];
  const flood = s.tenants.find((t) => t.role === "flood");
  out.push(
    `fairness benchmark: 20 tenants (1 flood of ${flood?.dump ?? 0} jobs, 3 bulk backlogs, 1 capped, 15 quiet trickles), ` +
      `${s.schedulers === 1 ? "1 scheduler" : `${s.schedulers} scheduler replicas`}, ` +
      `${s.workers} workers x ${s.slotsPerWorker} slots, ${s.stepMs} ms steps; phases of ${s.durationMs / 1000} s, ` +
      `measured over the last ${(s.durationMs - s.warmupMs) / 1000} s in ${s.windowMs / 1000} s windows`,
    "",
    ...DEFINITIONS,
    "",
    "Per tenant: share ratio (windows counted) and quiet release / start waits (ms)",
  );
  const rows = sluice.tenants.map((t, i) => {
    const plan = s.tenants[i]!;
    return [
      t.id,
      t.role,
      String(t.weight),
      plan.role === "capped" ? `${plan.maxConcurrency}->${s.edit.toCap}` : String(plan.maxConcurrency),
      shareCell(t),
      shareCell(noFlood.tenants[i]),
      shareCell(fifo.tenants[i]),
      t.role === "quiet" ? `${waitCell(t.releaseWait, "p50")}/${waitCell(t.releaseWait, "p99")}` : "-",
      t.role === "quiet"
        ? `${waitCell(noFlood.tenants[i]!.releaseWait, "p50")}/${waitCell(noFlood.tenants[i]!.releaseWait, "p99")}`
        : "-",
      t.role === "quiet"
        ? `${waitCell(fifo.tenants[i]!.startWait, "p50")}/${waitCell(fifo.tenants[i]!.startWait, "p99")}`
        : "-",
      String(t.dequeued),
    ];
  });
  out.push(
    formatTable(
      [
        { header: "tenant" },
        { header: "role" },
        { header: "weight", align: "right" },
        { header: "cap", align: "right" },
        { header: "share sluice", align: "right" },
        { header: "share no-flood", align: "right" },
        { header: "share fifo", align: "right" },
        { header: "rel p50/p99 sluice", align: "right" },
        { header: "rel p50/p99 no-flood", align: "right" },
        { header: "start p50/p99 fifo", align: "right" },
        { header: "released", align: "right" },
      ],
      rows,
    ),
    "",
  );
  const col = (f: (p: PhaseFigures) => string): string[] => [f(sluice), f(noFlood), f(fifo)];
  const w = (x: Waits, k: "p50" | "p99") => waitCell(x, k);
  out.push(
    formatTable(
      [
        { header: "figure" },
        { header: "sluice (flood)", align: "right" },
        { header: "no flood", align: "right" },
        { header: "fifo (flood)", align: "right" },
      ],
      [
        [
          "min share (tenant)",
          ...col((p) =>
            p.minShare === undefined ? "n/a" : `${p.minShare.toFixed(3)} (${p.minShareTenant})`,
          ),
        ],
        ["jain on weighted shares", ...col((p) => fmt(p.jain, 4))],
        ["backlogged tenants", ...col((p) => String(p.backlogged.length))],
        ["quiet release wait p50 ms", ...col((p) => w(p.quietRelease, "p50"))],
        ["quiet release wait p99 ms", ...col((p) => w(p.quietRelease, "p99"))],
        ["quiet start wait p50 ms", ...col((p) => w(p.quietStart, "p50"))],
        ["quiet start wait p99 ms", ...col((p) => w(p.quietStart, "p99"))],
        [
          "quiet jobs judged (not dequeued)",
          ...col((p) => `${p.quietRelease.n} (${p.quietRelease.censored})`),
        ],
        ["idle slot-time while runnable %", ...col((p) => p.idle.pct.toFixed(2))],
        ["  of which work was queued %", ...col((p) => p.idle.workQueuedPct.toFixed(2))],
        ["  of which nothing released %", ...col((p) => p.idle.nothingReleasedPct.toFixed(2))],
        ["work-queue pickup p50/p99 ms", ...col((p) => `${w(p.pickup, "p50")}/${w(p.pickup, "p99")}`)],
        ["quota apply ms", ...col((p) => fmt(p.quotaApplyMs, 0))],
        ["dequeues/s", ...col((p) => p.dequeuesPerSecond.toFixed(1))],
        ["cap violations", ...col((p) => (p.phase === "fifo" ? "(no caps)" : String(p.capViolations)))],
      ],
    ),
    "",
  );
  const h = headline(sluice, noFlood);
  const cs = checks(h);
  out.push(
    formatTable(
      [
        { header: "target" },
        { header: "sluice", align: "right" },
        { header: "goal", align: "right" },
        { header: "met" },
      ],
      cs.map((c) => [c.figure, c.value, c.target, c.met ? "yes" : "NO - missed"]),
    ),
  );
  const missed = cs.filter((c) => !c.met);
  out.push(missed.length === 0 ? "All targets met." : `Missed: ${missed.map((c) => c.figure).join(", ")}.`);
  if (sluice.quietRelease.censored > 0)
    out.push(
      `Note: ${sluice.quietRelease.censored} quiet Sluice jobs were not released by the end; their waits are lower bounds.`,
    );
  console.log(out.join("\n"));
  return cs;
}
