/**
 * Issue 9, bug C (1): every write to tenant data — job creation, compare-and-set checkpoints (alone
 * and group-committed as one raw `update` command), lease extensions, usage counters and the usage
 * ledger — carries the durable write concern `{ w: "majority", j: true }`
 * (shared/mongo/write-concern.ts), and the local MongoDB-wire server accepts it over TCP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MongoClient, type CommandStartedEvent, type Db } from "mongodb";
import { newQueuedJob } from "../../shared/jobs/job-doc.ts";
import { newJobId } from "../../shared/jobs/job-id.ts";
import { JobStore } from "../../shared/jobs/job-store.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { ensureIndexes } from "../../shared/mongo/indexes.ts";
import { DURABLE_WRITE_CONCERN_FIELD } from "../../shared/mongo/write-concern.ts";
import { tenantCollection } from "../../shared/tenancy/scoped-collection.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { UsageLedger } from "../../shared/usage/ledger.ts";
import { UsageStore } from "../../shared/usage/usage-store.ts";
import { stackEnv, uniqueName } from "./helpers/env.ts";
import { oneDbRouter } from "../support/one-db-router.ts";

const acme = tenantId("acme");
const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const WRITE_COMMANDS = new Set(["insert", "update", "delete", "findAndModify"]);

describe("durable write concern on tenant-data writes", () => {
  let client: MongoClient;
  let db: Db;
  const writes: CommandStartedEvent[] = [];

  beforeAll(async () => {
    client = new MongoClient(stackEnv().mongoUrl, { monitorCommands: true, retryWrites: false });
    await client.connect();
    db = client.db(uniqueName("wconcern", "_"));
    await ensureIndexes(db);
    client.on("commandStarted", (e) => {
      if (WRITE_COMMANDS.has(e.commandName)) writes.push(e);
    });
  });
  afterAll(async () => {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  });

  it("job creation, CAS writes (single and group-committed), leases, usage and ledger writes", async () => {
    const router = oneDbRouter(db);
    const store = new JobStore(tenantCollection(router, acme, COLLECTIONS.jobs));
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const job = newQueuedJob(
        {
          jobId: newJobId(T0 + i),
          tenantId: acme,
          idempotencyKey: `wc-${i}`,
          workflow: { name: "w", version: "1" },
          input: { inline: null },
        },
        T0,
      );
      expect((await store.create(job)).created).toBe(true);
      ids.push(job._id);
    }
    // One CAS alone (updateOne), then six in one turn (one raw `update` command).
    expect(await store.casUpdate(ids[0]!, 0, { execution: { n: 1 } }, T0 + 1)).toEqual({
      ok: true,
      version: 1,
    });
    const many = await Promise.all(ids.map((id, i) => store.casUpdate(id, i === 0 ? 1 : 0, {}, T0 + 2)));
    expect(many.every((r) => r.ok)).toBe(true);
    expect((await store.claim(ids[1]!, "w-1", 60_000, T0 + 3)).ok).toBe(true);
    expect((await store.extendLease(ids[1]!, "w-1", 60_000, T0 + 4)).ok).toBe(true);

    const usage = new UsageStore(oneDbRouter(db), { now: () => T0, log: silentLogger() });
    expect((await usage.tryAcquire(acme, 5)).ok).toBe(true);
    expect(await usage.release(acme)).toBe(true);
    const ledger = new UsageLedger(oneDbRouter(db), usage, { now: () => T0, log: silentLogger() });
    await ledger.recordAcquired(acme, ids[0]!);

    const byCommand = (name: string) => writes.filter((e) => e.commandName === name);
    expect(byCommand("insert").length).toBeGreaterThanOrEqual(7); // 6 jobs + the usage document
    expect(byCommand("update").some((e) => (e.command.updates as unknown[]).length === 6)).toBe(true);
    expect(byCommand("findAndModify").length).toBeGreaterThanOrEqual(2); // usage acquire + ledger
    const weak = writes
      .filter((e) => e.databaseName === db.databaseName)
      .filter((e) => JSON.stringify(e.command.writeConcern) !== JSON.stringify(DURABLE_WRITE_CONCERN_FIELD))
      .map((e) => `${e.commandName} ${JSON.stringify(e.command.writeConcern)}`);
    expect(weak).toEqual([]);
    // The server applied them all (it accepted the write concern).
    const docs = await db
      .collection(COLLECTIONS.jobs)
      .find({ _id: { $in: ids } } as never)
      .toArray();
    expect(docs.map((d) => d.version as number).sort()).toEqual([1, 1, 1, 1, 2, 2]);
  });
});
