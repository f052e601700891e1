/** Prints a phase of the tenants benchmark (console), and the JSON shape saved for it. */
import type { ChildReport } from "./scheduler-child.ts";
import type { PhaseResult } from "./phase.ts";
import type { WindowFigures } from "./window.ts";

const f0 = (n: number | undefined) => (n === undefined ? "-" : Number.isFinite(n) ? n.toFixed(0) : "inf");
const f3 = (n: number | undefined) => (n === undefined ? "-" : n.toFixed(3));

function windowLine(f: WindowFigures): string {
  const perReplica =
    f.cpuPctByReplica.length > 1
      ? ` (${f.cpuPctByReplica.map((r) => `${r.replicaId} ${r.cpuPct.toFixed(1)} %`).join(", ")})`
      : "";
  return (
    `${(f.ms / 1000).toFixed(1)} s: ${f.idleRequests} requests to ${f.idleTenants} idle tenants' queues ` +
    `= ${f.reqPerIdleTenantS.toFixed(3)} req/s per idle tenant; probed tenants ${f.probedRequests}, ` +
    `other ${f.otherRequests} (${Object.entries(f.requestsByAction)
      .map(([a, n]) => `${a} ${n}`)
      .join(", ")}); scheduler CPU ${f.cpuPct.toFixed(1)} % of a core${perReplica}`
  );
}

function decisionLines(r: ChildReport): string[] {
  const d = r.decision;
  const s = r.slowDecisions;
  return [
    `  ${r.replicaId} decision time per tick (wall): p50 ${f3(d.p50Ms)} ms, p99 ${f3(d.p99Ms)} ms, max ${f3(d.maxMs)} ms ` +
      `over ${d.count} ticks; ${d.waitKnown ? "less the event-loop thread's wait for a CPU" : "(run-queue wait unknown)"}: ` +
      `p50 ${f3(d.ownP50Ms)} ms, p99 ${f3(d.ownP99Ms)} ms; process CPU (all threads) p99 ${f3(d.cpuP99Ms)} ms`,
    `    decisions over ${s.slowMs} ms: ${s.slow} (${s.preempted} preempted: half or more of the call waiting for a CPU, ` +
      `${s.waitInSlowMs.toFixed(1)} of ${s.slowWallMs.toFixed(1)} ms; ${s.gc} with a GC pause inside; ${s.work} own work); ` +
      `GC pauses in the window: ${r.gc.count}, ${r.gc.totalMs.toFixed(0)} ms, max ${r.gc.maxMs.toFixed(1)} ms`,
    `    ticks: ${r.tick.count}, duration p50 ${f0(r.tick.p50Ms)} ms, p99 ${f0(r.tick.p99Ms)} ms ` +
      `(reads and intake I/O mean ${f0(r.tick.readMeanMs)} ms, releases mean ${f0(r.tick.releaseMeanMs)} ms); ` +
      `serves ${r.owned} tenants`,
  ];
}

export function printPhase(p: PhaseResult): void {
  console.log(
    `phase: ${p.replicas === 1 ? "one scheduler" : `${p.replicas} scheduler replicas (separate processes, tenants shared through scheduler_leases)`}` +
      ` — settled in ${(p.settleMs / 1000).toFixed(1)} s${p.settled ? "" : " (NOT settled: timed out)"} ` +
      `(${p.ownedAtSettle.map((o) => `${o.replicaId} ${o.owned}`).join(", ")})`,
  );
  console.log(`  idle window   ${windowLine(p.idleWindow)}`);
  console.log(`  loaded window ${windowLine(p.loadedWindow)}`);
  const k = p.pickup;
  console.log(
    `  idle pickup (send → release), ${k.released}/${k.n} probes released: p50 ${f0(k.p50)} ms, ` +
      `p99 ${f0(k.p99)} ms, max ${f0(k.max)} ms`,
  );
  const s = p.pickupSplit;
  console.log(
    `    of which send → the scheduler's receive answered: p50 ${f0(s.carriedP50)} ms, p99 ${f0(s.carriedP99)} ms ` +
      `(${s.byLongPoll}/${p.probes.length} carried by a long poll); answered → released: ` +
      `p50 ${f0(s.releasedAfterCarryP50)} ms, p99 ${f0(s.releasedAfterCarryP99)} ms`,
  );
  for (const r of p.reports) for (const line of decisionLines(r)) console.log(line);
  console.log(`  busy tenants' share of releases (loaded window) vs fair share by weight:`);
  for (const b of p.shares)
    console.log(
      `    ${b.tenant} w${b.weight}: ${b.released} released, share ${(b.share * 100).toFixed(1)} % ` +
        `(fair ${(b.fairShare * 100).toFixed(1)} %, ratio ${(b.fairShare === 0 ? 0 : b.share / b.fairShare).toFixed(2)})`,
    );
}

/** A phase as saved in bench/results (infinite p99 as null). */
export function phaseJson(p: PhaseResult): Record<string, unknown> {
  return {
    ...p,
    pickup: { ...p.pickup, p99: Number.isFinite(p.pickup.p99 ?? NaN) ? p.pickup.p99 : null },
  };
}
