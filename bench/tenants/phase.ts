/**
 * One phase of the tenants benchmark: `n` scheduler replicas (real processes sharing the tenants
 * through `scheduler_leases`, ADR 0024; the replicas of the previous phase keep running and the new
 * ones join them, so the phase starts with a real rebalance):
 *
 * 1. settle: until the replicas' last ticks serve every tenant between them, each replica serves
 *    some, and every tenant is watched by a long poll (the idle state);
 * 2. idle window: only idle tenants — SQS requests per idle tenant per second and scheduler CPU;
 * 3. loaded window: the busy tenants above capacity and a probe a second to a random idle tenant:
 *    pickup (send → release), decision time per tick, busy tenants' share of the releases; requests
 *    and CPU again;
 * 4. the busy tenants' queues are purged, so the next phase starts idle.
 */
import { progress } from "../lib/progress.ts";
import type { IsolatedFleet } from "../lib/fleet.ts";
import type { StackEnv } from "../../infra/stack/config.ts";
import type { SqsRequestCounter } from "../../test/support/sqs-request-counter.ts";
import { percentile } from "../../scheduler/fairshare/metrics.ts";
import type { ChildReport } from "./scheduler-child.ts";
import { SchedulerReplica, reportAll } from "./replicas.ts";
import { measureWindow, type WindowFigures, type WindowScope } from "./window.ts";
import { probeIdle, purgeBusy, releasesSince, resolveProbes, startBusyLoad, type Traffic } from "./load.ts";
import { pickup, shares, type BusyShare, type Probe } from "./measure.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

export interface BenchScope {
  readonly fleet: IsolatedFleet;
  readonly env: StackEnv;
  readonly counter: SqsRequestCounter;
  readonly childEnv: NodeJS.ProcessEnv;
  readonly tenants: number;
  readonly idle: readonly string[];
  readonly busy: readonly string[];
  readonly weightOf: (busyIndex: number) => number;
  readonly queueOf: ReadonlyMap<string, string>;
  readonly traffic: Traffic;
  /** Running replicas (phases add to it; the caller stops them). */
  readonly replicas: SchedulerReplica[];
}

export interface PhaseResult {
  readonly replicas: number;
  /** From the phase's start to every tenant owned and long-polled (ms); settled false if it timed out. */
  readonly settleMs: number;
  readonly settled: boolean;
  /** Tenants each replica served when the phase settled. */
  readonly ownedAtSettle: readonly { readonly replicaId: string; readonly owned: number }[];
  readonly idleWindow: WindowFigures;
  readonly loadedWindow: WindowFigures;
  readonly pickup: ReturnType<typeof pickup>;
  readonly pickupSplit: {
    readonly carriedP50: number | undefined;
    readonly carriedP99: number | undefined;
    readonly releasedAfterCarryP50: number | undefined;
    readonly releasedAfterCarryP99: number | undefined;
    readonly byLongPoll: number;
  };
  readonly probes: readonly Probe[];
  /** Each replica's report at the end of the loaded window (decisions, ticks, lanes). */
  readonly reports: readonly ChildReport[];
  readonly decisionP99Ms: number;
  readonly shares: readonly BusyShare[];
}

async function settle(scope: BenchScope, warmMs: number): Promise<{ ok: boolean; reports: ChildReport[] }> {
  const end = Date.now() + warmMs;
  for (;;) {
    const reports = await reportAll(scope.replicas);
    const owned = reports.reduce((n, r) => n + r.owned, 0);
    const watching = reports.reduce((n, r) => n + r.intake.watching, 0);
    const ok = owned === scope.tenants && reports.every((r) => r.owned > 0) && watching >= scope.tenants;
    if (ok || Date.now() > end) return { ok, reports };
    await sleep(1_000);
  }
}

export async function runPhase(
  scope: BenchScope,
  n: number,
  opts: { idleMs: number; durationMs: number; warmMs: number },
): Promise<PhaseResult> {
  const started = Date.now();
  while (scope.replicas.length < n) {
    const r = new SchedulerReplica(`bench-r${scope.replicas.length + 1}`, scope.childEnv);
    scope.replicas.push(r);
    await r.started();
  }
  progress(`phase ${n} replica(s): waiting until every tenant is owned and long-polled`);
  const settled = await settle(scope, opts.warmMs);
  const settleMs = Date.now() - started;
  progress(
    `settled in ${(settleMs / 1000).toFixed(1)} s${settled.ok ? "" : " (timed out)"}: ` +
      settled.reports.map((r) => `${r.replicaId} serves ${r.owned}`).join(", "),
  );
  const windowScope: WindowScope = {
    counter: scope.counter,
    replicas: scope.replicas,
    queueOf: scope.queueOf,
    busy: new Set(scope.busy),
    idle: scope.idle,
  };

  progress(`idle window: ${opts.idleMs / 1000} s with only idle tenants`);
  const idleWindow = await measureWindow(windowScope, opts.idleMs, new Set());

  progress(
    `loaded window: ${opts.durationMs / 1000} s, ${scope.busy.length} busy tenants + a probe a second`,
  );
  const stopLoad = await startBusyLoad(scope.traffic);
  await Promise.all(scope.replicas.map((r) => r.reset()));
  const probes: Probe[] = [];
  const probed = new Set<string>();
  const loaded = await measureWindow(windowScope, opts.durationMs, probed, () =>
    probeIdle(scope.traffic, opts.durationMs, probed, probes),
  );
  const reports = await reportAll(scope.replicas);
  await stopLoad();

  await sleep(1_500); // the last probe's release
  const docs = await releasesSince(scope.fleet, idleWindow.from);
  const probeResults = resolveProbes(probes, docs, scope.counter);
  const carried = probeResults.flatMap((p) => (p.carriedAt === undefined ? [] : [p.carriedAt - p.sentAt]));
  const afterCarry = probeResults.flatMap((p) =>
    p.carriedAt === undefined || p.releasedAt === undefined ? [] : [p.releasedAt - p.carriedAt],
  );
  const busyReleased = scope.busy.map((t, i) => ({
    tenant: t,
    weight: scope.weightOf(i),
    released: docs.filter((d) => d.tenantId === t && d.createdAt >= loaded.from && d.createdAt <= loaded.to)
      .length,
  }));
  await purgeBusy(scope.env, scope.traffic);
  return {
    replicas: n,
    settleMs,
    settled: settled.ok,
    ownedAtSettle: settled.reports.map((r) => ({ replicaId: r.replicaId, owned: r.owned })),
    idleWindow: idleWindow.figures,
    loadedWindow: loaded.figures,
    pickup: pickup(probeResults),
    pickupSplit: {
      carriedP50: percentile(carried, 50),
      carriedP99: percentile(carried, 99),
      releasedAfterCarryP50: percentile(afterCarry, 50),
      releasedAfterCarryP99: percentile(afterCarry, 99),
      byLongPoll: probeResults.filter((p) => (p.carrierWaitSeconds ?? 0) > 0).length,
    },
    probes: probeResults,
    reports,
    decisionP99Ms: Math.max(...reports.map((r) => r.decision.p99Ms ?? 0)),
    shares: shares(busyReleased),
  };
}
