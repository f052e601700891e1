import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attrValue } from "../../shared/aws/sqs-port.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import type { FairScheduler } from "../../scheduler/loop/fair-scheduler.ts";
import { tenantsCommand } from "../../scheduler/cli/tenants.ts";
import { createFairFleet, waitUntil, type FairFleet } from "./helpers/fair-fleet.ts";
import { sleep } from "./helpers/env.ts";

/**
 * Live quota edits against the real stack, one fair scheduler and one worker: an invalid document
 * keeps the last valid quota applying and is reported; a paused tenant's backlog waits and resumes
 * within 2 s of the edit; a suspended tenant's new messages go to the DLQ with the reason; a cap edit
 * (1 → 3) applies to queued work within 2 s.
 */
let ff: FairFleet;
let scheduler: FairScheduler;
const measured: Record<string, number> = {};

beforeAll(async () => {
  ff = await createFairFleet("sched-live", ["alpha", "bravo", "charlie"], 8);
  for (const t of ["alpha", "bravo", "charlie"])
    await ff.setQuota(t, { maxConcurrency: 3, weight: 1, rate: null });
  await ff.setQuota("alpha", { maxConcurrency: 1 });
  await ff.startWorker();
  scheduler = await ff.startScheduler();
});
afterAll(async () => {
  console.log(JSON.stringify({ measured }));
  await ff?.cleanup();
});

describe("live quotas", () => {
  it("keeps the last valid quota when a document turns invalid, and reports it", async () => {
    const alpha = tenantId("alpha");
    const before = scheduler.quotaBook.get(alpha);
    expect(before?.maxConcurrency).toBe(1);
    await ff.setQuota("alpha", { weight: -1 });
    await waitUntil(
      async () => scheduler.quotaBook.problemsOf(alpha) !== undefined,
      3_000,
      "the problem to be seen",
    );
    expect(scheduler.quotaBook.problemsOf(alpha)?.problems).toEqual([
      { path: "weight", message: "must be > 0" },
    ]);
    expect(scheduler.quotaBook.get(alpha)).toEqual(before);

    const out: string[] = [];
    const code = await tenantsCommand(["check"], {
      db: ff.fleet.rt.fleetDb,
      out: (t) => out.push(t),
      queuePrefix: ff.fleet.name,
    });
    expect(code).toBe(1);
    expect(out.join("\n")).toMatch(/alpha: invalid\n\s+weight: must be > 0/);

    // Work is still released under the last valid quota (cap 1).
    await ff.sendJobs("alpha", 2, 300);
    await waitUntil(
      async () => (await ff.countJobs("alpha", { status: "complete" })) === 2,
      10_000,
      "alpha's jobs",
    );
    expect(scheduler.metrics.snapshot()["alpha"]?.released).toBe(2);
  });

  it("applies a cap edit (1 → 3) to queued work within 2 s", async () => {
    await ff.setQuota("alpha", { weight: 1 }); // valid again, cap 1
    await waitUntil(
      async () => scheduler.quotaBook.problemsOf(tenantId("alpha")) === undefined,
      3_000,
      "valid quota",
    );
    const base = await ff.countJobs("alpha");
    await ff.sendJobs("alpha", 5, 4_000);
    await waitUntil(async () => (await ff.countJobs("alpha")) === base + 1, 5_000, "the first release");
    await sleep(500);
    expect(await ff.countJobs("alpha")).toBe(base + 1); // cap 1 holds
    const editedAt = Date.now();
    await ff.setQuota("alpha", { maxConcurrency: 3 });
    await waitUntil(async () => (await ff.countJobs("alpha")) === base + 3, 5_000, "two more releases");
    measured["capEditToReleaseMs"] = Date.now() - editedAt;
    expect(measured["capEditToReleaseMs"]).toBeLessThanOrEqual(2_000);
    await sleep(300);
    expect(await ff.countJobs("alpha")).toBe(base + 3); // and no more than the new cap
    await waitUntil(
      async () => (await ff.countJobs("alpha", { status: "running" })) === 3,
      3_000,
      "3 running",
    );
    measured["capEditToRunningMs"] = Date.now() - editedAt;
  });

  it("holds a paused tenant's backlog and resumes within 2 s of the edit", async () => {
    await ff.setQuota("bravo", { status: "paused", reason: "maintenance" });
    await waitUntil(
      async () => scheduler.quotaBook.get(tenantId("bravo"))?.status === "paused",
      3_000,
      "paused",
    );
    await ff.sendJobs("bravo", 3, 100);
    await sleep(2_000);
    expect(await ff.countJobs("bravo")).toBe(0);
    expect(scheduler.views().get(tenantId("bravo"))).toMatchObject({ backlog: 3, held: "paused" });

    const resumedAt = Date.now();
    await ff.setQuota("bravo", { status: "active", reason: null });
    await waitUntil(async () => (await ff.countJobs("bravo")) > 0, 5_000, "bravo's first release");
    measured["resumeToReleaseMs"] = Date.now() - resumedAt;
    expect(measured["resumeToReleaseMs"]).toBeLessThanOrEqual(2_000);
    await waitUntil(
      async () => (await ff.countJobs("bravo", { status: "complete" })) === 3,
      10_000,
      "bravo's jobs",
    );
  });

  it("rejects a suspended tenant's new messages to the DLQ with the reason", async () => {
    await ff.setQuota("charlie", { status: "suspended", reason: "billing overdue" });
    await waitUntil(
      async () => scheduler.quotaBook.get(tenantId("charlie"))?.status === "suspended",
      3_000,
      "suspended",
    );
    const [key] = await ff.sendJobs("charlie", 1, 10);
    const { dlqUrl, queueUrl } = await ff.fleet.rt.queues.intake(tenantId("charlie"));
    const dead = await ff.fleet.rt.sqs.receive(dlqUrl, { waitSeconds: 5 });
    expect(dead).toHaveLength(1);
    expect(dead[0]!.body).toContain(key!);
    expect(attrValue(dead[0]!.attributes, "reason")).toBe("tenant suspended: billing overdue");
    expect(await ff.countJobs("charlie")).toBe(0);
    expect((await ff.fleet.rt.sqs.approximateDepth(queueUrl)).visible).toBe(0);
  });
});
