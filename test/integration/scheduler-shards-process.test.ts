import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFairScheduler } from "../../scheduler/create-fair-scheduler.ts";
import type { FairScheduler } from "../../scheduler/loop/fair-scheduler.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { stackProcessEnv, TestProcesses } from "../support/processes.ts";
import { stackEnv } from "./helpers/env.ts";
import { waitUntil } from "./helpers/fair-fleet.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import { heartbeatSlots } from "./helpers/worker-slots.ts";

/**
 * A real scheduler process (`scheduler/main.ts`) shares 10 tenants with an in-test replica, holds
 * buffered messages of its tenants (caps of 1 and no worker running jobs), and is SIGKILLed: its
 * leases expire (3 s here), the other replica takes its tenants, and once the dead process's buffered
 * messages become visible again (intake visibility 5 s here) releases their whole backlog. Every
 * message ends as exactly one job and one work message.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const TENANTS = Array.from({ length: 10 }, (_, i) => `kl${i}`);
const PER_TENANT = 6;
let fleet: TestFleet;
const processes = new TestProcesses();
let survivor: FairScheduler | undefined;

beforeAll(async () => {
  fleet = await createTestFleet("shkill", { tenants: TENANTS });
  await setCaps(1);
  await heartbeatSlots(fleet, "w-kill", 1_000, 3_600_000);
}, 120_000);
afterAll(async () => {
  processes.killAll();
  await survivor?.stop();
  await fleet?.cleanup();
});

async function setCaps(maxConcurrency: number): Promise<void> {
  await fleet.rt.fleetDb
    .collection(COLLECTIONS.tenants)
    .updateMany(
      {},
      { $set: { maxConcurrency, minConcurrency: 0, updatedAt: new Date() }, $inc: { version: 1 } },
    );
}

const SHARD_ENV = {
  SLUICE_SCHEDULER_LEASE_MS: "3000",
  SLUICE_SCHEDULER_RENEW_MS: "300",
  SLUICE_SCHEDULER_INTAKE_VISIBILITY_SECONDS: "5",
};

async function ownedBy(): Promise<Map<string, string[]>> {
  const now = Date.now();
  const out = new Map<string, string[]>();
  const docs = await fleet.rt.fleetDb
    .collection(COLLECTIONS.schedulerLeases)
    .find({ kind: "tenant" })
    .toArray();
  for (const l of docs) {
    if (l["owner"] === null || Number(l["expiresAt"]) <= now) continue;
    const o = String(l["owner"]);
    out.set(o, [...(out.get(o) ?? []), String(l["tenantId"])]);
  }
  return out;
}

describe("a scheduler replica killed with SIGKILL", () => {
  it("hands its tenants to the other replica, which releases their backlog exactly once", async () => {
    const proc = processes.start(process.execPath, ["--import", "tsx", "scheduler/main.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...stackProcessEnv(stackEnv()),
        ...fleet.env,
        ...SHARD_ENV,
        SLUICE_SCHEDULER_ID: "proc-1",
      },
    });
    await waitUntil(async () => proc.output().includes("scheduler started"), 30_000, "the process to start");
    await waitUntil(async () => (await ownedBy()).get("proc-1")?.length === 10, 20_000, "proc-1 owns all");

    survivor = createFairScheduler(await fleet.runtime(SHARD_ENV), fleet.catalog, {
      schedulerId: "survivor",
      quotaPollIntervalMs: 200,
      loop: { intervalMs: 50 },
    });
    await survivor.start();
    await waitUntil(
      async () => {
        const o = await ownedBy();
        return o.get("proc-1")?.length === 5 && o.get("survivor")?.length === 5;
      },
      20_000,
      "a 5/5 split",
    );
    const killed = (await ownedBy()).get("proc-1") ?? [];

    const keys: string[] = [];
    for (const t of TENANTS) {
      const { queueUrl } = await fleet.rt.queues.intake(t as TenantId);
      const batch = Array.from({ length: PER_TENANT }, () => `kill-${t}-${randomUUID().slice(0, 8)}`);
      keys.push(...batch);
      await fleet.rt.sqs.sendBatch(
        queueUrl,
        batch.map((k) => ({
          body: JSON.stringify({ tenantId: t, workflow: "hello", idempotencyKey: k, input: { name: "Ada" } }),
        })),
      );
    }
    const jobs = fleet.rt.fleetDb.collection(COLLECTIONS.jobs);
    // Caps of 1: one job per tenant; the process now holds the rest of its tenants' messages buffered.
    await waitUntil(
      async () => (await jobs.countDocuments({})) === TENANTS.length,
      30_000,
      "one job per tenant",
    );
    await waitUntil(
      async () => {
        for (const t of killed) {
          const { queueUrl } = await fleet.rt.queues.intake(t as TenantId);
          if ((await fleet.rt.sqs.approximateDepth(queueUrl)).inFlight === 0) return false;
        }
        return true;
      },
      20_000,
      "the process buffering its tenants' messages",
    );
    proc.child.kill("SIGKILL");
    expect(await proc.signal).toBe("SIGKILL");
    await setCaps(1_000);

    await waitUntil(
      async () => (await ownedBy()).get("survivor")?.length === 10,
      20_000,
      "the survivor owns all",
    );
    await waitUntil(
      async () => (await jobs.countDocuments({})) === keys.length,
      60_000,
      "every job released",
    );
    const docs = await jobs.find({}, { projection: { idempotencyKey: 1 } }).toArray();
    expect(new Set(docs.map((d) => String(d["idempotencyKey"])))).toEqual(new Set(keys));
    // Exactly one work message per job.
    const ids: string[] = [];
    for (let empty = 0; empty < 3;) {
      const got = await fleet.rt.sqs.receive(fleet.rt.queues.work, {
        maxMessages: 10,
        waitSeconds: 0,
        visibilityTimeout: 300,
      });
      if (got.length === 0) empty += 1;
      else empty = 0;
      ids.push(...got.map((m) => String((JSON.parse(m.body) as { jobId: string }).jobId)));
    }
    expect(ids).toHaveLength(keys.length);
    expect(new Set(ids)).toEqual(new Set(docs.map((d) => String(d._id))));
    // The survivor released the killed replica's backlog.
    const released = survivor.metrics.snapshot();
    for (const t of killed) expect(released[t]?.released ?? 0).toBeGreaterThan(0);
  }, 180_000);
});
