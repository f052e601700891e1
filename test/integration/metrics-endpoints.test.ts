import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleValue } from "../../shared/metrics/exposition.ts";
import { stackProcessEnv, TestProcesses, until } from "../support/processes.ts";
import { stackEnv } from "./helpers/env.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

/**
 * The scheduler and a worker as real processes, each serving Prometheus metrics on its own port:
 * jobs of two tenants go in through the intake queues, and the scrapes show per-tenant series on the
 * scheduler and per-workflow / per-step series on the worker, with the counts that actually happened.
 */
const ROOT = resolve(import.meta.dirname, "../..");
let fleet: TestFleet;
const processes = new TestProcesses();

beforeAll(async () => {
  fleet = await createTestFleet("metrics", { tenants: ["acme", "globex"] });
});
afterAll(async () => {
  processes.killAll();
  await fleet?.cleanup();
});

function start(entry: string, env: Record<string, string>) {
  return processes.start(process.execPath, ["--import", "tsx", entry], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...stackProcessEnv(stackEnv()),
      SLUICE_SHUTDOWN_GRACE_MS: "3000",
      SLUICE_METRICS_HOST: "127.0.0.1",
      ...fleet.env,
      ...env,
    },
  });
}

/** The port a process logged for its metrics server ("metrics served at /metrics"). */
function metricsPort(output: string): number | undefined {
  for (const line of output.split("\n")) {
    if (!line.includes("metrics served at /metrics")) continue;
    return (JSON.parse(line) as { port: number }).port;
  }
  return undefined;
}

describe("metrics endpoints", () => {
  it("the scheduler and a worker export per-tenant, per-workflow and per-step series", async () => {
    const scheduler = start("scheduler/main.ts", { SLUICE_METRICS_PORT: "0" });
    const worker = start("workers/main.ts", { SLUICE_METRICS_PORT: "0" });
    await until(
      () => scheduler.output().includes("scheduler started") && worker.output().includes("worker started"),
    );
    const sPort = metricsPort(scheduler.output());
    const wPort = metricsPort(worker.output());
    expect(sPort).toBeGreaterThan(0);
    expect(wPort).toBeGreaterThan(0);

    const send = async (tenant: "acme" | "globex", key: string) => {
      const { queueUrl } = await fleet.rt.queues.intake(tenant as never);
      await fleet.rt.sqs.send(queueUrl, {
        body: JSON.stringify({
          tenantId: tenant,
          workflow: "hello",
          idempotencyKey: key,
          input: { name: key },
        }),
      });
    };
    await Promise.all([send("acme", "a1"), send("acme", "a2"), send("acme", "a3"), send("globex", "g1")]);
    const globexQueue = await fleet.rt.queues.intake("globex" as never);
    await fleet.rt.sqs.send(globexQueue.queueUrl, { body: "not json{" });

    const jobs = fleet.rt.fleetDb.collection("jobs");
    await until(async () => (await jobs.countDocuments({ status: "complete" })) === 4).catch(
      (err: unknown) => {
        console.log(scheduler.output().slice(-3000), worker.output().slice(-3000));
        throw err;
      },
    );

    const scrape = async (port: number) => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      return res.text();
    };
    let s = "";
    await until(async () => {
      s = await scrape(sPort!);
      return (sampleValue(s, "sluice_scheduler_rejected_total", { tenant: "globex" }) ?? 0) >= 1;
    });
    expect(sampleValue(s, "sluice_scheduler_released_total", { tenant: "acme" })).toBe(3);
    expect(sampleValue(s, "sluice_scheduler_released_total", { tenant: "globex" })).toBe(1);
    expect(sampleValue(s, "sluice_scheduler_queue_wait_seconds_count", { tenant: "acme" })).toBe(3);
    expect(sampleValue(s, "sluice_tenant_running", { tenant: "acme" })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(s, "sluice_tenant_backlog", { tenant: "globex" })).toBe(0);
    expect(s).toContain('sluice_up{service="scheduler"} 1');
    expect(s).toMatch(/^process_cpu_user_seconds_total /m);

    const w = await scrape(wPort!);
    expect(
      sampleValue(w, "sluice_job_duration_seconds_count", { workflow: "hello", status: "complete" }),
    ).toBe(4);
    expect(sampleValue(w, "sluice_step_duration_seconds_count", { resource: "greet" })).toBe(4);
    expect(
      sampleValue(w, "sluice_checkpoint_duration_seconds_count", { outcome: "won" }),
    ).toBeGreaterThanOrEqual(4);
    expect(w).toContain('sluice_up{service="worker"} 1');

    const missing = await fetch(`http://127.0.0.1:${wPort!}/nope`);
    expect(missing.status).toBe(404);
  });
});
