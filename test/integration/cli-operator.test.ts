/**
 * The operators' `sluice` commands on the real local stack, run in-process (runCli) against a
 * throwaway fleet: jobs list/get/timeline/logs/submit through the tenant-scoped store (another
 * tenant's job reads as missing), dlq list/show/redrive on LocalStack queues (show leaves the
 * messages, redrive moves them back without Sluice's attributes), fleet from the fleet collections,
 * workflows versions from workflow_versions; every --json output parses.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringAttr } from "../../shared/aws/sqs-port.ts";
import { WorkerHeartbeats } from "../../shared/fleet/worker-heartbeats.ts";
import { SweeperRegistry } from "../../shared/fleet/sweeper-heartbeats.ts";
import { ApiReplicas } from "../../shared/fleet/api-replicas.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { MongoWorkflowVersionStore } from "../../shared/workflows/version-store.ts";
import { TenantStatsStore, emptyThrottleCounts } from "../../scheduler/store/tenant-stats.ts";
import { MongoLeaseStore } from "../../scheduler/shards/lease-store.ts";
import { runCli } from "../../cli/run.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

let fleet: TestFleet;

beforeAll(async () => {
  fleet = await createTestFleet("cliops", { tenants: ["acme", "globex"] });
});
afterAll(() => fleet?.cleanup());

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const env = { ...process.env, ...fleet.env, LOG_LEVEL: "silent" };
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t), env });
  return { code, out, err };
}

async function json<T>(...argv: string[]): Promise<T> {
  const r = await cli(...argv, "--json");
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as T;
}

describe("sluice jobs", () => {
  it("list: newest first, filtered by status and workflow, one tenant only", async () => {
    const first = await fleet.submit("acme", "pass-only", { name: "a" }, { send: false });
    const second = await fleet.submit("acme", "hello", { name: "b" }, { send: false });
    const theirs = await fleet.submit("globex", "pass-only", { name: "c" }, { send: false });
    const all = await json<{ jobs: { _id: string; status: string }[] }>("jobs", "list", "acme");
    expect(all.jobs.map((j) => j._id)).toEqual([second, first]);
    const byWorkflow = await json<{ jobs: { _id: string }[] }>(
      "jobs",
      "list",
      "acme",
      "--workflow",
      "pass-only",
    );
    expect(byWorkflow.jobs.map((j) => j._id)).toEqual([first]);
    expect((await json<{ jobs: unknown[] }>("jobs", "list", "acme", "--status", "complete")).jobs).toEqual(
      [],
    );
    expect((await json<{ jobs: unknown[] }>("jobs", "list", "acme", "--limit", "1")).jobs).toHaveLength(1);
    // Another tenant's job by id behaves like a missing one.
    const foreign = await cli("jobs", "get", "acme", theirs);
    expect(foreign.code).toBe(1);
    expect(foreign.err).toContain(`no job ${theirs}`);
    const table = await cli("jobs", "list", "acme");
    expect(table.out.split("\n")[0]).toMatch(/^JOB\s+WORKFLOW\s+STATUS/);
    expect((await cli("jobs", "list", "acme", "--status", "done")).code).toBe(2);
  });

  it("get, timeline and logs of a job a worker ran to the end", async () => {
    const worker = await fleet.startWorker();
    const jobId = await fleet.submit("acme", "pass-only", { name: "Ada" });
    await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    await fleet.stopWorker(worker);
    const got = await json<Record<string, unknown>>("jobs", "get", "acme", jobId);
    expect(got).toMatchObject({ _id: jobId, tenantId: "acme", status: "complete", attempts: 1 });
    expect(got["finishedAt"]).toMatch(/^\d{4}-\d\d-\d\dT/);
    const t = await json<{ timeline: { event: string; durationMs?: number }[] }>(
      "jobs",
      "timeline",
      "acme",
      jobId,
    );
    const events = t.timeline.map((e) => e.event);
    expect(events[0]).toBe("created");
    expect(events).toContain("claimed");
    expect(events.at(-1)).toBe("complete");
    expect(t.timeline.slice(0, -1).every((e) => typeof e.durationMs === "number")).toBe(true);
    const logs = await cli("jobs", "logs", "acme", jobId);
    expect(logs.code).toBe(0);
    expect(logs.out).toContain("attempts: 1 claim(s)");
    expect(logs.out).toContain("claimed");
  });

  it("submit sends a valid intake message to the tenant's intake queue", async () => {
    const r = await json<{ messageId: string; idempotencyKey: string; queue: string }>(
      "jobs",
      "submit",
      "acme",
      "hello",
      "--input",
      '{"name":"Bo"}',
      "--idempotency-key",
      "cli-k1",
      "--priority",
      "high",
    );
    expect(r).toMatchObject({ idempotencyKey: "cli-k1", queue: `${fleet.name}-intake-acme` });
    const { queueUrl } = await fleet.rt.queues.intake(tenantId("acme"));
    const [m] = await fleet.rt.sqs.receive(queueUrl, { waitSeconds: 2 });
    expect(JSON.parse(m!.body)).toEqual({
      tenantId: "acme",
      workflow: "hello",
      idempotencyKey: "cli-k1",
      input: { name: "Bo" },
      priority: "high",
    });
    await fleet.rt.sqs.delete(queueUrl, m!.receiptHandle);
    const bad = await cli("jobs", "submit", "acme", "Not A Workflow");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("workflow");
  });
});

describe("sluice dlq", () => {
  it("list shows depths, show leaves the messages, redrive moves them back without the DLQ attributes", async () => {
    const q = await fleet.rt.queues.intake(tenantId("acme"));
    const sent = [];
    for (const [i, reason] of ['unknown workflow "nope"', "input too large"].entries()) {
      sent.push(
        await fleet.rt.sqs.send(q.dlqUrl, {
          body: JSON.stringify({
            tenantId: "acme",
            workflow: "hello",
            idempotencyKey: `dlq-${i}`,
            input: {},
          }),
          attributes: {
            reason: stringAttr(reason),
            sourceQueue: stringAttr(q.queueName),
            originalMessageId: stringAttr(`orig-${i}`),
            trace: stringAttr(`t-${i}`),
          },
        }),
      );
    }
    const list = await json<{ queues: { queue: string; tenant: string | null; depth: number }[] }>(
      "dlq",
      "list",
    );
    expect(list.queues.find((r) => r.tenant === "acme")?.depth).toBe(2);
    expect(list.queues.find((r) => r.tenant === "globex")?.depth).toBe(0);
    expect(list.queues.some((r) => r.queue === `${fleet.name}-work-dlq`)).toBe(true);
    const one = await json<{ queues: unknown[] }>("dlq", "list", "--tenant", "acme");
    expect(one.queues).toHaveLength(1);

    const shown = await json<{ messages: { messageId: string; reason: string }[] }>("dlq", "show", "acme");
    expect(shown.messages.map((m) => m.reason).sort()).toEqual([
      "input too large",
      'unknown workflow "nope"',
    ]);
    // Not consumed: shown again in full, right away.
    const again = await json<{ messages: unknown[] }>("dlq", "show", `${fleet.name}-intake-acme-dlq`);
    expect(again.messages).toHaveLength(2);

    const byId = await json<{ moved: number }>("dlq", "redrive", "acme", "--id", sent[0]!.messageId);
    expect(byId.moved).toBe(1);
    const [back] = await fleet.rt.sqs.receive(q.queueUrl, { waitSeconds: 2 });
    expect(JSON.parse(back!.body)).toMatchObject({ idempotencyKey: "dlq-0" });
    expect(Object.keys(back!.attributes)).toEqual(["trace"]);
    await fleet.rt.sqs.delete(q.queueUrl, back!.receiptHandle);

    const missing = await cli("dlq", "redrive", "acme", "--id", "no-such-message");
    expect(missing.code).toBe(1);
    const all = await json<{ moved: number }>("dlq", "redrive", "acme", "--all");
    expect(all.moved).toBe(1);
    expect((await json<{ messages: unknown[] }>("dlq", "show", "acme")).messages).toEqual([]);
    expect((await cli("dlq", "redrive", "acme")).code).toBe(2);
  });
});

describe("sluice fleet and workflows versions", () => {
  it("fleet lists the workers, sweepers and schedulers that reported", async () => {
    const db = fleet.rt.fleetDb;
    const now = Date.now();
    await new WorkerHeartbeats(db).heartbeat({
      workerId: "cli-w1",
      slots: 8,
      busy: 3,
      at: now,
      steps: ["llm"],
    });
    await new SweeperRegistry(db).heartbeat({ sweeperId: "cli-s1", at: now, lastTickAt: now });
    await new TenantStatsStore(db).write([
      {
        schedulerId: "cli-sch1",
        tenantId: "acme",
        at: new Date(now),
        windowMs: 5_000,
        released: 10,
        releasedPerSec: 2,
        throttled: emptyThrottleCounts(),
      },
    ]);
    const leases = new MongoLeaseStore(db);
    await leases.heartbeat({ replicaId: "cli-r1", at: now, expiresAt: now + 60_000, weight: 0, owned: 1 });
    await leases.acquire(tenantId("acme"), null, "cli-r1", now, now + 60_000);
    await leases.heartbeat({
      replicaId: "cli-r0",
      at: now - 30_000,
      expiresAt: now - 20_000,
      weight: 0,
      owned: 0,
    });
    // An API replica beating now, and one whose last beat was a minute ago.
    await new ApiReplicas(db, "cli-api-1").beat(now);
    await db
      .collection<{ _id: string; at: Date }>(COLLECTIONS.apiReplicas)
      .updateOne({ _id: "cli-api-0" }, { $set: { at: new Date(now - 60_000) } }, { upsert: true });
    const f = await json<{
      apiReplicas: { replicaId: string; alive: boolean; lastHeartbeatAt: string }[];
      workers: { live: { workerId: string; slots: number; busy: number; healthy: boolean }[] };
      sweepers: { live: { sweeperId: string }[] };
      schedulers: { schedulerId: string; fresh: boolean; tenants: number }[];
      schedulerReplicas: {
        replicaId: string;
        alive: boolean;
        tenants: number;
        lastHeartbeatAt: string | null;
      }[];
    }>("fleet");
    expect(f.schedulerReplicas.find((r) => r.replicaId === "cli-r1")).toMatchObject({
      alive: true,
      tenants: 1,
      lastHeartbeatAt: new Date(now).toISOString(),
    });
    expect(f.schedulerReplicas.find((r) => r.replicaId === "cli-r0")).toMatchObject({
      alive: false,
      tenants: 0,
    });
    expect(f.workers.live.find((w) => w.workerId === "cli-w1")).toMatchObject({
      slots: 8,
      busy: 3,
      healthy: true,
    });
    expect(f.sweepers.live.map((s) => s.sweeperId)).toContain("cli-s1");
    expect(f.schedulers.find((s) => s.schedulerId === "cli-sch1")).toMatchObject({ fresh: true, tenants: 1 });
    expect(f.apiReplicas).toEqual([
      { replicaId: "cli-api-1", alive: true, lastHeartbeatAt: new Date(now).toISOString() },
      { replicaId: "cli-api-0", alive: false, lastHeartbeatAt: new Date(now - 60_000).toISOString() },
    ]);
    const text = await cli("fleet");
    expect(text.out).toMatch(/api replicas: 1 alive, 1 dead/);
    expect(text.out).toMatch(/cli-api-1\s+yes\s/);
    expect(text.out).toMatch(/cli-api-0\s+no\s/);
    expect(text.out).toContain("cli-w1");
    expect(text.out).toMatch(/scheduler replicas: 1 alive, 1 dead/);
    expect(text.out).toMatch(/cli-r1\s+yes\s+1\s/);
    expect(text.out).toMatch(/cli-r0\s+no\s+0\s/);
  });

  it("workflows versions lists the recorded versions, the current one marked", async () => {
    const current = fleet.catalog.get("hello")!;
    const store = new MongoWorkflowVersionStore(fleet.rt.fleetDb);
    await store.put({
      _id: "0".repeat(32),
      name: "hello",
      definition: '{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}',
      recordedAt: 1,
    });
    await store.put({
      _id: current.version,
      name: "hello",
      definition: JSON.stringify(current.definition),
      recordedAt: 2,
    });
    const v = await json<{ versions: { version: string; current: boolean }[] }>(
      "workflows",
      "versions",
      "hello",
    );
    expect(v.versions.map((x) => [x.version, x.current])).toEqual([
      [current.version, true],
      ["0".repeat(32), false],
    ]);
  });
});
