/**
 * One scheduler process of `npm run bench -- tenants`: the production `createFairScheduler` over a
 * runtime built from the environment the parent gives it (its namespace, and an `AWS_ENDPOINT_URL`
 * that is the parent's counting proxy), validating against the benchmark's sleep workflow. Talks to
 * the parent over IPC: `reset` (metrics), `report` (decision times, ticks, intake lanes, CPU used by
 * this process so far) and `stop`.
 */
import { createFairScheduler } from "../../scheduler/create-fair-scheduler.ts";
import type { TickStats } from "../../scheduler/loop/metrics.ts";
import { loadConfig } from "../../shared/config/config.ts";
import { createLogger } from "../../shared/log/logger.ts";
import { createRuntime } from "../../shared/runtime/runtime.ts";
import { sleepWorkflow } from "../fairness/workflow.ts";

export type ChildRequest = { kind: "reset" } | { kind: "report" } | { kind: "stop" };

export interface ChildReport {
  readonly kind: "report";
  readonly decision: { count: number; p50Ms: number | undefined; p99Ms: number | undefined; maxMs: number };
  readonly ticks: number;
  readonly tick: TickStats;
  readonly intake: { idle: number; backlogged: number; watching: number; longPolls: number };
  /** process.cpuUsage() user + system, µs. */
  readonly cpuMicros: number;
}

const config = loadConfig(process.env);
const log = createLogger({ level: "error", pretty: "never", service: "bench-scheduler" });
const rt = await createRuntime(config, log);
const wf = await sleepWorkflow(Number(process.env.BENCH_STEP_MS ?? "500"));
const scheduler = createFairScheduler(rt, wf.catalog);
await scheduler.start();
const send = (m: unknown) => process.send?.(m);
send({ kind: "started" });

process.on("message", (m: ChildRequest) => {
  if (m.kind === "reset") {
    scheduler.metrics.reset();
    send({ kind: "reset" });
  } else if (m.kind === "report") {
    const cpu = process.cpuUsage();
    const report: ChildReport = {
      kind: "report",
      decision: scheduler.metrics.decisionStats(),
      ticks: scheduler.metrics.ticks,
      tick: scheduler.metrics.tickStats(),
      intake: scheduler.intakeStats(),
      cpuMicros: cpu.user + cpu.system,
    };
    send(report);
  } else if (m.kind === "stop") {
    void scheduler
      .stop()
      .then(() => rt.close())
      .finally(() => {
        send({ kind: "stopped" });
        process.exit(0);
      });
  }
});
