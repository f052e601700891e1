/**
 * One scheduler process of `npm run bench -- tenants` and of `bench fairness --schedulers N` (one
 * replica): the production
 * `createFairScheduler` over a runtime built from the environment the parent gives it (its namespace,
 * its replica id in `SLUICE_SCHEDULER_ID`, and an `AWS_ENDPOINT_URL` that is the parent's counting
 * proxy), validating against the benchmark's sleep workflow. With several of these processes the
 * tenants are shared through `scheduler_leases` exactly as between production replicas (ADR 0024).
 * Talks to the parent over IPC: `reset` (metrics and recorded GC pauses), `report` (decision times
 * and what the slow ones are made of, ticks, intake lanes, tenants owned, CPU used by this process so
 * far) and `stop`.
 */
import { PerformanceObserver } from "node:perf_hooks";
import { createFairScheduler } from "../../scheduler/create-fair-scheduler.ts";
import type { DecisionStats, TickStats } from "../../scheduler/loop/metrics.ts";
import { loadConfig } from "../../shared/config/config.ts";
import { createLogger } from "../../shared/log/logger.ts";
import { createRuntime } from "../../shared/runtime/runtime.ts";
import { sleepWorkflow } from "../fairness/workflow.ts";
import { decisionBreakdown, type DecisionBreakdown, type GcEvent } from "./decision-breakdown.ts";

export type ChildRequest = { kind: "reset" } | { kind: "report" } | { kind: "stop" };

export interface ChildReport {
  readonly kind: "report";
  readonly replicaId: string;
  readonly decision: DecisionStats;
  /** Decisions over 1 ms: overlapped by a GC pause, preempted, or the decision's own work. */
  readonly slowDecisions: DecisionBreakdown;
  /** GC pauses since the last reset: count and total ms. */
  readonly gc: { count: number; totalMs: number; maxMs: number };
  readonly ticks: number;
  readonly tick: TickStats;
  readonly intake: { idle: number; backlogged: number; watching: number; longPolls: number };
  /** Tenants the last tick served (owned by this replica). */
  readonly owned: number;
  /** Releases since start (or the last reset), all tenants. */
  readonly released: number;
  /** process.cpuUsage() user + system, µs. */
  readonly cpuMicros: number;
}

const config = loadConfig(process.env);
const log = createLogger({ level: "error", pretty: "never", service: "bench-scheduler" });
const rt = await createRuntime(config, log);
const wf = await sleepWorkflow(Number(process.env.BENCH_STEP_MS ?? "500"));
const replicaId = process.env.SLUICE_SCHEDULER_ID ?? `bench-${process.pid}`;
const scheduler = createFairScheduler(rt, wf.catalog, { schedulerId: replicaId });
let gcs: GcEvent[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (gcs.length < 100_000) gcs.push({ at: e.startTime, ms: e.duration });
});
gcObserver.observe({ entryTypes: ["gc"] });
await scheduler.start();
const send = (m: unknown) => process.send?.(m);
send({ kind: "started" });

process.on("message", (m: ChildRequest) => {
  if (m.kind === "reset") {
    scheduler.metrics.reset();
    gcs = [];
    send({ kind: "reset" });
  } else if (m.kind === "report") {
    const cpu = process.cpuUsage();
    const report: ChildReport = {
      kind: "report",
      replicaId,
      decision: scheduler.metrics.decisionStats(),
      slowDecisions: decisionBreakdown(scheduler.metrics.decisionSamples(), gcs),
      gc: {
        count: gcs.length,
        totalMs: gcs.reduce((s, g) => s + g.ms, 0),
        maxMs: gcs.reduce((s, g) => Math.max(s, g.ms), 0),
      },
      ticks: scheduler.metrics.ticks,
      tick: scheduler.metrics.tickStats(),
      intake: scheduler.intakeStats(),
      owned: scheduler.lastTick()?.owned ?? 0,
      released: scheduler.metrics.releasedTotal(),
      cpuMicros: cpu.user + cpu.system,
    };
    send(report);
  } else if (m.kind === "stop") {
    gcObserver.disconnect();
    void scheduler
      .stop()
      .then(() => rt.close())
      .finally(() => {
        // What it released up to its stop (a report before the stop misses releases still in flight).
        send({
          kind: "stopped",
          released: scheduler.metrics.releasedTotal(),
          ticks: scheduler.metrics.ticks,
        });
        process.exit(0);
      });
  }
});
