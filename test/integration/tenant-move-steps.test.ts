/**
 * The move machinery on the real MongoDB-wire server, phase by phase over two database handles
 * (scheduler/moves/): the fence makes the old documents unreachable (a CAS checkpoint written to
 * the old home during the move matches nothing, the same write retried in the new home lands);
 * copy, verification by count and content hash, switch of the tenant document, carrying over late
 * writes, cleanup; a move stopped after any phase resumes to the same result; abort before the
 * switch restores everything; another tenant's documents are untouched throughout. Moves with a
 * fleet running are in tenant-move-load.test.ts.
 */
import type { Db, Document } from "mongodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAuditLog } from "../../shared/audit/audit-log.ts";
import { newJobId } from "../../shared/jobs/job-id.ts";
import { newQueuedJob } from "../../shared/jobs/job-doc.ts";
import { createJobStore, type JobStore } from "../../shared/jobs/job-store.ts";
import type { MongoHandle } from "../../shared/mongo/client.ts";
import { COLLECTIONS, TENANT_DATA_COLLECTIONS } from "../../shared/mongo/collections.ts";
import { ensureIndexes } from "../../shared/mongo/indexes.ts";
import { isMoving } from "../../shared/moves/move-record.ts";
import { scopedCollection } from "../../shared/tenancy/scoped-collection.ts";
import { tenantId, type TenantId } from "../../shared/tenancy/tenant-id.ts";
import { digests, remaining } from "../../scheduler/moves/move-steps.ts";
import {
  abortMove,
  planMove,
  readMove,
  runMove,
  stepMove,
  type MoveDeps,
} from "../../scheduler/moves/tenant-move.ts";
import { tenantsCommand } from "../../scheduler/cli/tenants.ts";
import { createQueuedJobs, insertTenantDoc } from "../support/tenant-seed.ts";
import { testDatabase } from "./helpers/mongo.ts";

const acme = tenantId("acme");
const globex = tenantId("globex");
const ops = { kind: "os" as const, subject: "ops" };

let mongo: MongoHandle;
let shared: Db;
let drop: () => Promise<void>;
let dedicatedName: string;
let lines: string[];

beforeAll(async () => {
  ({ mongo, db: shared, drop } = await testDatabase("moves"));
  dedicatedName = `${shared.databaseName}_acme`.slice(0, 63);
  await ensureIndexes(shared);
});
afterAll(async () => {
  await mongo.client
    .db(dedicatedName)
    .dropDatabase()
    .catch(() => undefined);
  await drop();
});

function deps(overrides: Partial<MoveDeps> = {}): MoveDeps {
  return {
    sharedDb: shared,
    openHome: async (home) => ({ db: mongo.client.db(home.database), close: async () => undefined }),
    audit: createAuditLog(shared),
    now: Date.now,
    sleep: async () => undefined,
    graceMs: 0,
    progress: (l) => lines.push(l),
    ...overrides,
  };
}

const storeIn = (db: Db, tenant: TenantId): JobStore =>
  createJobStore(scopedCollection(db.collection(COLLECTIONS.jobs), tenant, db));

async function seedTenant(tenant: TenantId, jobs: number): Promise<string[]> {
  await insertTenantDoc(shared, tenant, 3);
  const store = storeIn(shared, tenant);
  const ids = await createQueuedJobs(store, tenant, jobs, (i) => ({
    idempotencyKey: `k-${i}`,
    workflow: { name: "hello", version: "v1" },
    input: { inline: { i, at: new Date(0).toISOString() } },
  }));
  for (const [i, id] of ids.entries()) {
    if (i % 3 === 1) {
      const r = await store.casUpdate(
        id,
        0,
        { status: "running", lease: { owner: "w1", expiresAt: Date.now() + 60_000 } },
        Date.now(),
      );
      expect(r.ok).toBe(true);
    }
  }
  await shared
    .collection(COLLECTIONS.usage)
    .insertOne({ tenantId: tenant, running: 2, version: 5, daily: { "2026-12-05": 7 } });
  await shared.collection<Document>(COLLECTIONS.usageLedger).insertMany(
    ids.slice(0, 4).map((j) => ({
      _id: `${tenant}/${j}` as never,
      tenantId: tenant,
      jobId: j,
      acquired: true,
      at: new Date(),
    })),
  );
  await shared.collection<Document>(COLLECTIONS.llmUsage).insertOne({
    _id: `${tenant}:2026-12` as never,
    tenantId: tenant,
    month: "2026-12",
    tokens: 1200,
    calls: 3,
  });
  return ids;
}

beforeEach(async () => {
  lines = [];
  for (const name of [
    ...TENANT_DATA_COLLECTIONS,
    COLLECTIONS.tenants,
    COLLECTIONS.tenantMoves,
    COLLECTIONS.audit,
  ]) {
    await shared.collection(name).deleteMany({});
  }
  await mongo.client.db(dedicatedName).dropDatabase();
});

describe("tenant move, phase by phase", () => {
  it("promote: fenced writes fail in the old home and land in the new; verified; stopped and resumed; demote back", async () => {
    const ids = await seedTenant(acme, 30);
    await seedTenant(globex, 10);
    const globexBefore = await digests(shared, globex, false);
    const acmeBefore = await digests(shared, acme, false);
    const running = (await storeIn(shared, acme).get(ids[1]!))!;
    expect(running.status).toBe("running");

    await planMove(deps(), { tenant: acme, direction: "promote", database: dedicatedName, actor: ops });
    expect(await isMoving(shared, acme)).toBe(false);
    expect((await stepMove(deps(), acme))!.phase).toBe("fenced");
    expect(await isMoving(shared, acme)).toBe(true);

    // A worker holding the lease checkpoints to the OLD home during the move: nothing matches.
    const lost = await storeIn(shared, acme).casUpdate(ids[1]!, running.version, { attempts: 9 }, Date.now());
    expect(lost.ok).toBe(false);
    expect(await storeIn(shared, acme).get(ids[0]!)).toBeNull();
    expect(
      await shared
        .collection(COLLECTIONS.jobs)
        .countDocuments({ status: { $exists: true }, tenantId: "~acme" }),
    ).toBe(0);

    expect((await stepMove(deps(), acme))!.phase).toBe("copied");
    // The mover is killed here; the same command later resumes the move to its end.
    const done = await runMove(deps(), acme);
    expect(done.phase).toBe("done");
    expect(done.before).toEqual(acmeBefore);
    expect(done.after).toEqual(acmeBefore);
    expect(done.before!["jobs"]!.count).toBe(30);
    expect(done.deleted).toMatchObject({ jobs: 30, usage: 1, usage_ledger: 4, llm_usage: 1 });
    expect(await isMoving(shared, acme)).toBe(false);

    const dedicated = mongo.client.db(dedicatedName);
    expect(await digests(dedicated, acme, false)).toEqual(acmeBefore);
    expect(Object.values(await remaining(shared, acme)).every((n) => n === 0)).toBe(true);
    // The worker's write, retried in the new home at the version it holds, lands.
    const retried = await storeIn(dedicated, acme).casUpdate(
      ids[1]!,
      running.version,
      { attempts: 9 },
      Date.now(),
    );
    expect(retried.ok).toBe(true);
    // The other tenant never moved.
    expect(await digests(shared, globex, false)).toEqual(globexBefore);
    expect(Object.values(await remaining(dedicated, globex)).every((n) => n === 0)).toBe(true);
    // The tenant document is the switch, with the move's epoch.
    const doc = await shared.collection<Document>(COLLECTIONS.tenants).findOne({ tenantId: "acme" });
    expect(doc).toMatchObject({ tier: "dedicated", storage: { database: dedicatedName }, version: 4 });
    expect(done.epoch).toBe(4);
    const [entry] = await createAuditLog(shared).list(acme);
    expect(entry).toMatchObject({
      actor: ops,
      action: "tenant.promote",
      before: { tier: "shared", counts: { jobs: 30 } },
      after: { tier: "dedicated", database: dedicatedName, epoch: 4, counts: { jobs: 30 } },
    });

    // Demote: back to the shared database, the emptied dedicated database dropped.
    const promoted = await digests(dedicated, acme, false);
    await planMove(deps(), { tenant: acme, direction: "demote", actor: ops });
    const back = await runMove(deps(), acme);
    expect(back).toMatchObject({ phase: "done", droppedDatabase: dedicatedName });
    expect(back.before).toEqual(promoted);
    expect(await digests(shared, acme, false)).toEqual(promoted);
    expect(await digests(shared, globex, false)).toEqual(globexBefore);
    const names = (await mongo.client.db("admin").admin().listDatabases()).databases.map((d) => d.name);
    expect(names).not.toContain(dedicatedName);
    expect(
      await shared.collection<Document>(COLLECTIONS.tenants).findOne({ tenantId: "acme" }),
    ).toMatchObject({
      tier: "shared",
    });
    expect((await createAuditLog(shared).list(acme)).map((e) => e.action)).toEqual([
      "tenant.demote",
      "tenant.promote",
    ]);
  });

  it("every phase can be the last one before a kill: the resumed move ends the same", async () => {
    await seedTenant(acme, 12);
    const before = await digests(shared, acme, false);
    for (let stopAfter = 1; stopAfter <= 6; stopAfter += 1) {
      const direction = stopAfter % 2 === 1 ? "promote" : "demote";
      await planMove(deps(), { tenant: acme, direction, database: dedicatedName, actor: ops });
      for (let i = 0; i < stopAfter; i += 1) await stepMove(deps(), acme);
      // A second mover (the operator ran the command again) resumes; planMove returns the same move.
      const again = await planMove(deps(), { tenant: acme, direction, actor: ops });
      expect(again.phase).not.toBe("planned");
      const done = await runMove(deps(), acme);
      expect(done.phase).toBe("done");
      const home = direction === "promote" ? mongo.client.db(dedicatedName) : shared;
      expect(await digests(home, acme, false)).toEqual(before);
    }
  });

  it("writes by processes still routing to the old home after the switch are carried over, duplicates dropped", async () => {
    await seedTenant(acme, 5);
    await planMove(deps(), { tenant: acme, direction: "promote", database: dedicatedName, actor: ops });
    for (let i = 0; i < 4; i += 1) await stepMove(deps(), acme); // → switched
    expect((await readMove(shared, acme))!.phase).toBe("switched");
    // A scheduler whose router has not re-read the tenant document yet creates two jobs in the old
    // home: a new one, and one whose idempotency key the tenant already has (a redelivered message).
    const stale = storeIn(shared, acme);
    const fresh = newJobId(Date.now());
    for (const [id, key] of [
      [fresh, "k-new"],
      [newJobId(Date.now() + 1), "k-1"],
    ] as const) {
      await stale.create(
        newQueuedJob(
          {
            jobId: id,
            tenantId: acme,
            idempotencyKey: key,
            workflow: { name: "hello", version: "v1" },
            input: { inline: {} },
          },
          Date.now(),
        ),
      );
    }
    const done = await runMove(deps(), acme);
    expect(done.lateCopied).toMatchObject({ jobs: 1 });
    expect(done.lateDropped).toMatchObject({ jobs: 1 });
    const dedicated = storeIn(mongo.client.db(dedicatedName), acme);
    expect(await dedicated.get(fresh)).toMatchObject({ idempotencyKey: "k-new", status: "queued" });
    expect(
      await mongo.client.db(dedicatedName).collection(COLLECTIONS.jobs).countDocuments({ tenantId: "acme" }),
    ).toBe(6);
    expect(Object.values(await remaining(shared, acme)).every((n) => n === 0)).toBe(true);
  });

  it("abort before the switch restores the old home exactly; after the switch it is refused", async () => {
    await seedTenant(acme, 8);
    const before = await digests(shared, acme, false);
    await planMove(deps(), { tenant: acme, direction: "promote", database: dedicatedName, actor: ops });
    await stepMove(deps(), acme);
    await stepMove(deps(), acme);
    const aborted = await abortMove(deps(), acme);
    expect(aborted.phase).toBe("aborted");
    expect(await digests(shared, acme, false)).toEqual(before);
    expect(Object.values(await remaining(mongo.client.db(dedicatedName), acme)).every((n) => n === 0)).toBe(
      true,
    );
    expect(await isMoving(shared, acme)).toBe(false);

    await planMove(deps(), { tenant: acme, direction: "promote", database: dedicatedName, actor: ops });
    for (let i = 0; i < 4; i += 1) await stepMove(deps(), acme);
    await expect(abortMove(deps(), acme)).rejects.toMatchObject({ code: "not_abortable" });
    await expect(planMove(deps(), { tenant: acme, direction: "demote", actor: ops })).rejects.toMatchObject({
      code: "other_move",
    });
    expect((await runMove(deps(), acme)).phase).toBe("done");
    await expect(planMove(deps(), { tenant: acme, direction: "promote", actor: ops })).rejects.toMatchObject({
      code: "wrong_tier",
    });
  });

  it("the CLI: promote and demote print progress and the report; bad arguments exit 2", async () => {
    await seedTenant(acme, 4);
    const out: string[] = [];
    const err: string[] = [];
    const cli = (...argv: string[]) =>
      tenantsCommand(argv, { db: shared, actor: ops, out: (t) => out.push(t), err: (t) => err.push(t) });
    expect(
      await cli("promote", "acme", "--to", "dedicated", "--database", dedicatedName, "--grace-ms", "0"),
    ).toBe(0);
    expect(err.join("\n")).toMatch(/fenced in .*jobs 4/);
    expect(err.join("\n")).toMatch(/verified: jobs 4/);
    const report = out.join("\n");
    expect(report).toMatch(/promoted to dedicated database/);
    expect(report).toMatch(/^jobs\s+4\s+[0-9a-f]{16}\s+4\s+[0-9a-f]{16}\s+0\s+4$/m);
    expect(await cli("demote", "acme", "--to", "shared", "--grace-ms", "0", "--json")).toBe(0);
    expect(JSON.parse(out.at(-1)!)).toMatchObject({ ok: true, move: { phase: "done", direction: "demote" } });
    expect(await cli("demote", "acme", "--to", "shared")).toBe(1);
    expect(err.at(-1)).toMatch(/acme is shared/);
    expect(await cli("promote", "acme")).toBe(2);
    expect(await cli("promote", "acme", "--to", "shared")).toBe(2);
    expect(await cli("demote", "acme", "--to", "shared", "--database", "x")).toBe(2);
    expect(await cli("promote", "ACME", "--to", "dedicated")).toBe(2);
  });
});
