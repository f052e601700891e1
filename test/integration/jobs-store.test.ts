import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MongoClient } from "mongodb";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { ensureIndexes } from "../../shared/mongo/indexes.ts";
import { HISTORY_LIMIT, newQueuedJob } from "../../shared/jobs/job-doc.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { newJobId } from "../../shared/jobs/job-id.ts";
import { InvalidJobPatchError, JobStore } from "../../shared/jobs/job-store.ts";
import { createSweeperQueries } from "../../shared/jobs/sweeper-queries.ts";
import { IllegalTransitionError } from "../../shared/jobs/transitions.ts";
import { TenantScopeError, scopedCollection } from "../../shared/tenancy/scoped-collection.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

const url = process.env.MONGO_URL;
if (!url) throw new Error("MONGO_URL is not set (see infra/)");
const client = new MongoClient(url);
const db = client.db(`sluice_test_jobs_store_${process.pid}_${Math.random().toString(36).slice(2, 8)}`);
const jobs = db.collection<JobDoc>(COLLECTIONS.jobs);
const A = tenantId("acme");
const G = tenantId("globex");
const storeA = new JobStore(scopedCollection(jobs, A));
const storeG = new JobStore(scopedCollection(jobs, G));

const T0 = 1_767_225_600_000;
let seq = 0;
const newJob = (tenant: TenantId = A, key?: string): JobDoc => {
  seq++;
  return newQueuedJob(
    {
      jobId: newJobId(T0 + seq, () => new Uint8Array(10).fill(seq % 256)),
      tenantId: tenant,
      idempotencyKey: key ?? `key-${seq}`,
      workflow: { name: "invoice", version: "v1" },
      input: { inline: { n: seq } },
    },
    T0,
  );
};

async function created(tenant: TenantId = A): Promise<JobDoc> {
  const store = tenant === A ? storeA : storeG;
  const { job } = await store.create(newJob(tenant));
  return job;
}

beforeAll(async () => {
  await client.connect();
  await ensureIndexes(db);
  await ensureIndexes(db); // idempotent
});

afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

describe("JobStore.create", () => {
  it("is idempotent on (tenant, idempotency key)", async () => {
    const first = newJob(A, "order-42");
    expect(await storeA.create(first)).toEqual({ created: true, job: first });
    const again = await storeA.create({ ...newJob(A, "order-42"), priority: 7 });
    expect(again).toEqual({ created: false, job: first });
    // The same key for another tenant is another job.
    const other = await storeG.create(newJob(G, "order-42"));
    expect(other.created).toBe(true);
    expect(await jobs.countDocuments({ idempotencyKey: "order-42" })).toBe(2);
  });

  it("creates exactly one job under concurrent duplicates", async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => storeA.create({ ...newJob(A, "dup-race"), priority: i })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.job._id)).size).toBe(1);
    expect(await jobs.countDocuments({ idempotencyKey: "dup-race" })).toBe(1);
  });

  it("refuses another tenant's job, an invalid one, and a job id collision", async () => {
    await expect(storeA.create(newJob(G))).rejects.toThrow(TenantScopeError);
    await expect(storeA.create({ ...newJob(), version: -1 })).rejects.toThrow();
    const j = await created();
    await expect(storeA.create({ ...newJob(), _id: j._id })).rejects.toMatchObject({ code: 11000 });
  });
});

describe("JobStore.casUpdate", () => {
  it("bumps the version by one and stamps updatedAt", async () => {
    const j = await created();
    const r = await storeA.casUpdate(j._id, 0, { priority: 3 }, T0 + 5);
    expect(r).toEqual({ ok: true, version: 1 });
    expect(await storeA.get(j._id)).toMatchObject({
      priority: 3,
      version: 1,
      updatedAt: T0 + 5,
      createdAt: T0,
    });
  });

  it("detects a conflict, reloads and never overwrites", async () => {
    const j = await created();
    expect((await storeA.casUpdate(j._id, 0, { priority: 1 }, T0)).ok).toBe(true);
    const stale = await storeA.casUpdate(j._id, 0, { priority: 2 }, T0);
    expect(stale.ok).toBe(false);
    if (!stale.ok) expect(stale.current).toMatchObject({ version: 1, priority: 1 });
    expect(await storeA.casUpdate("no-such-job-1", 0, { priority: 2 }, T0)).toEqual({
      ok: false,
      current: null,
    });
  });

  it("refuses an illegal transition at the expected version without writing", async () => {
    const j = await created();
    await expect(storeA.casUpdate(j._id, 0, { status: "complete" }, T0)).rejects.toBeInstanceOf(
      IllegalTransitionError,
    );
    await expect(storeA.casUpdate(j._id, 0, { status: "needs_review" }, T0)).rejects.toMatchObject({
      from: "queued",
      to: "needs_review",
    });
    expect(await storeA.get(j._id)).toMatchObject({ version: 0, status: "queued" });
  });

  it("implies lease release and finishedAt on terminal statuses", async () => {
    const j = await created();
    const c = await storeA.claim(j._id, "w1", 1000, T0);
    expect(c.ok).toBe(true);
    const r = await storeA.casUpdate(j._id, 1, { status: "complete", output: { inline: 1 } }, T0 + 10);
    expect(r).toEqual({ ok: true, version: 2 });
    expect(await storeA.get(j._id)).toMatchObject({ status: "complete", lease: null, finishedAt: T0 + 10 });
    await expect(storeA.casUpdate(j._id, 2, { status: "complete" }, T0)).rejects.toBeInstanceOf(
      IllegalTransitionError,
    );
  });

  it("validates patches, including S3 keys outside the tenant's prefix", async () => {
    const j = await created();
    await expect(storeA.casUpdate(j._id, 0, { version: 9 } as never, T0)).rejects.toBeInstanceOf(
      InvalidJobPatchError,
    );
    await expect(storeA.casUpdate(j._id, 0, { attempts: -1 }, T0)).rejects.toBeInstanceOf(
      InvalidJobPatchError,
    );
    await expect(
      storeA.casUpdate(j._id, 0, { output: { s3: { key: "tenants/globex/x", bytes: 1 } } }, T0),
    ).rejects.toBeInstanceOf(TenantScopeError);
    expect(
      (await storeA.casUpdate(j._id, 0, { output: { s3: { key: "tenants/acme/x", bytes: 1 } } }, T0)).ok,
    ).toBe(true);
  });

  it("appends history in the same write, keeping the last HISTORY_LIMIT events", async () => {
    const j = await created();
    let v = 0;
    // One batch more than the limit holds: the first batch is dropped.
    const batches = HISTORY_LIMIT / 10 + 1;
    for (let batch = 0; batch < batches; batch++) {
      const history = Array.from({ length: 10 }, (_, i) => ({ at: T0 + batch * 10 + i, type: "checkpoint" }));
      const r = await storeA.casUpdate(j._id, v, {}, T0, { history });
      if (!r.ok) throw new Error("conflict");
      v = r.version;
    }
    const after = await storeA.get(j._id);
    expect(after?.history).toHaveLength(HISTORY_LIMIT);
    expect(after?.history[0]?.at).toBe(T0 + 10);
    expect(after?.history.at(-1)?.at).toBe(T0 + batches * 10 - 1);
    expect(after?.version).toBe(batches);
  });

  it("cannot touch another tenant's job", async () => {
    const g = await created(G);
    expect(await storeA.get(g._id)).toBeNull();
    expect(await storeA.casUpdate(g._id, 0, { priority: 9 }, T0)).toEqual({ ok: false, current: null });
    expect((await storeA.claim(g._id, "w", 1000, T0)).ok).toBe(false);
    expect(await storeG.get(g._id)).toMatchObject({ version: 0, priority: 0, status: "queued" });
  });
});

describe("JobStore.claim and leases", () => {
  it("claims a queued job: running, lease, attempt counted, history", async () => {
    const j = await created();
    const c = await storeA.claim(j._id, "w1", 30_000, T0 + 1);
    expect(c).toMatchObject({ ok: true, how: "fresh", previousOwner: null });
    if (!c.ok) return;
    expect(c.job).toMatchObject({
      status: "running",
      lease: { owner: "w1", expiresAt: T0 + 30_001 },
      attempts: 1,
    });
    expect(await storeA.get(j._id)).toEqual(c.job);
  });

  it("a live lease blocks everyone, its own owner included (issue 9 E/10: no second run beside the first)", async () => {
    const j = await created();
    await storeA.claim(j._id, "w1", 30_000, T0);
    expect(await storeA.claim(j._id, "w2", 30_000, T0 + 29_999)).toMatchObject({
      ok: false,
      reason: "leased",
    });
    const again = await storeA.claim(j._id, "w1", 30_000, T0 + 100);
    expect(again).toMatchObject({ ok: false, reason: "leased", job: { attempts: 1, version: 1 } });
    expect(await storeA.get(j._id)).toMatchObject({
      version: 1,
      lease: { owner: "w1", expiresAt: T0 + 30_000 },
    });
    // Once its lease expired, the owner may take it again like anyone: a new run, a new attempt.
    const later = await storeA.claim(j._id, "w1", 30_000, T0 + 30_000);
    expect(later).toMatchObject({
      ok: true,
      how: "stolen",
      previousOwner: "w1",
      job: { attempts: 2, version: 2 },
    });
  });

  it("steals an expired lease (built directly by backdating it)", async () => {
    const j = await created();
    await storeA.claim(j._id, "dead-worker", 30_000, T0);
    await jobs.updateOne({ _id: j._id }, { $set: { "lease.expiresAt": T0 - 1 } });
    const c = await storeA.claim(j._id, "w2", 30_000, T0);
    expect(c).toMatchObject({ ok: true, how: "stolen", previousOwner: "dead-worker", job: { attempts: 2 } });
    // The dead worker's late checkpoint loses.
    expect((await storeA.casUpdate(j._id, 1, { execution: { at: "B" } }, T0)).ok).toBe(false);
  });

  it("exactly one of many concurrent claimers wins", async () => {
    const j = await created();
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => storeA.claim(j._id, `w${i}`, 30_000, T0)),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === "leased")).toBe(true);
    expect(await storeA.get(j._id)).toMatchObject({ version: 1, attempts: 1 });
  });

  it("refuses waits that are not due, reviews, terminal jobs and unknown ids", async () => {
    const j = await created();
    expect((await storeA.casUpdate(j._id, 0, { wakeAt: T0 + 500 }, T0)).ok).toBe(true);
    expect(await storeA.claim(j._id, "w", 1000, T0 + 499)).toMatchObject({ ok: false, reason: "not_due" });
    expect(await storeA.claim(j._id, "w", 1000, T0 + 500)).toMatchObject({ ok: true, job: { wakeAt: null } });
    expect(
      (
        await storeA.casUpdate(
          j._id,
          2,
          {
            status: "needs_review",
            review: { taskToken: "t", stateName: "R", input: { inline: null }, requestedAt: T0 },
          },
          T0,
        )
      ).ok,
    ).toBe(true);
    expect(await storeA.claim(j._id, "w", 1000, T0)).toMatchObject({ ok: false, reason: "not_claimable" });
    expect(await storeA.claim("missing-job-1", "w", 1000, T0)).toMatchObject({
      ok: false,
      reason: "not_found",
    });
  });

  it("extends only the owner's lease, without bumping the version", async () => {
    const j = await created();
    await storeA.claim(j._id, "w1", 1000, T0);
    expect(await storeA.extendLease(j._id, "w1", 5000, T0 + 900)).toEqual({ ok: true, expiresAt: T0 + 5900 });
    expect(await storeA.get(j._id)).toMatchObject({
      version: 1,
      lease: { owner: "w1", expiresAt: T0 + 5900 },
    });
    const other = await storeA.extendLease(j._id, "w2", 5000, T0);
    expect(other).toMatchObject({ ok: false, current: { lease: { owner: "w1" } } });
    // The worker's own checkpoint still wins after a heartbeat.
    expect((await storeA.casUpdate(j._id, 1, { execution: { at: "B" } }, T0 + 950)).ok).toBe(true);
  });

  it("a heartbeat between a stealer's read and write makes the steal lose", async () => {
    const j = await created();
    await storeA.claim(j._id, "w1", 1000, T0);
    // The stealer decided at T0+2000 (lease expired) but its write lands after w1's heartbeat.
    await storeA.extendLease(j._id, "w1", 10_000, T0 + 1500);
    const stealerStore = new JobStore(scopedCollection(jobs, A));
    const r = await stealerStore.claim(j._id, "w2", 1000, T0 + 2000);
    expect(r).toMatchObject({ ok: false, reason: "leased" });
  });

  it("releases the owner's lease back to queued, optionally resting on a Wait", async () => {
    const j = await created();
    await storeA.claim(j._id, "w1", 1000, T0);
    expect((await storeA.releaseLease(j._id, "w2", 1, T0)).ok).toBe(false);
    const r = await storeA.releaseLease(j._id, "w1", 1, T0 + 5, {
      wakeAt: T0 + 60_000,
      execution: { at: "Wait" },
    });
    expect(r).toEqual({ ok: true, version: 2 });
    expect(await storeA.get(j._id)).toMatchObject({ status: "queued", lease: null, wakeAt: T0 + 60_000 });
  });
});

describe("sweeper queries and sweeper CAS", () => {
  it("finds expired leases, due wake-ups and stale queued jobs across tenants; one sweeper wins", async () => {
    await jobs.deleteMany({});
    const sweeper = createSweeperQueries(jobs);
    const expired = await created(G);
    await storeG.claim(expired._id, "w", 1000, T0);
    const live = await created();
    await storeA.claim(live._id, "w", 1_000_000, T0);
    const waiting = await created();
    await storeA.casUpdate(waiting._id, 0, { wakeAt: T0 + 3000 }, T0 + 100);
    const future = await created();
    await storeA.casUpdate(future._id, 0, { wakeAt: T0 + 999_999 }, T0 + 100);
    const stale = await created(G);
    const fresh = await created();
    await storeA.casUpdate(fresh._id, 0, { priority: 1 }, T0 + 50_000);

    const now = T0 + 10_000;
    expect(await sweeper.findExpiredLeases(now, 10)).toEqual([
      { tenantId: G, jobId: expired._id, version: 1 },
    ]);
    expect(await sweeper.findDueWakeups(now, 10)).toEqual([{ tenantId: A, jobId: waiting._id, version: 1 }]);
    expect(await sweeper.findStaleQueued(T0 + 20_000, 10)).toEqual([
      { tenantId: G, jobId: stale._id, version: 0 },
    ]);
    await expect(sweeper.findStaleQueued(now, 0)).rejects.toThrow(RangeError);

    // Two sweepers act on the same triple: exactly one CAS wins.
    const [e1, e2] = await Promise.all([
      storeG.expireLease(expired._id, 1, now),
      storeG.expireLease(expired._id, 1, now),
    ]);
    expect([e1.ok, e2.ok].filter(Boolean)).toHaveLength(1);
    expect(await storeG.get(expired._id)).toMatchObject({ status: "queued", lease: null, version: 2 });
    const w = await storeA.requeue(waiting._id, 1, now);
    expect(w).toEqual({ ok: true, version: 2 });
    expect(await storeA.get(waiting._id)).toMatchObject({ wakeAt: null, updatedAt: now });
    expect((await storeA.requeue(future._id, 1, now)).ok).toBe(false); // not due
    expect((await storeA.expireLease(live._id, 1, now)).ok).toBe(false); // lease still live
    expect(await sweeper.findExpiredLeases(now, 10)).toEqual([]);
    expect(await sweeper.findDueWakeups(now, 10)).toEqual([]);
  });

  it("finds overdue reviews across tenants, earliest deadline first", async () => {
    await jobs.deleteMany({});
    const sweeper = createSweeperQueries(jobs);
    const parked = async (store: typeof storeA, tenant: typeof A, timeoutAt?: number) => {
      const j = await created(tenant);
      await store.claim(j._id, "w", 1000, T0);
      const review = {
        taskToken: `t-${j._id}`,
        stateName: "Review",
        input: { inline: null },
        requestedAt: T0,
      };
      const r = await store.casUpdate(
        j._id,
        1,
        {
          status: "needs_review",
          lease: null,
          review: timeoutAt === undefined ? review : { ...review, timeoutAt },
        },
        T0,
      );
      expect(r.ok).toBe(true);
      return j._id;
    };
    const late = await parked(storeG, G, T0 + 2_000);
    const early = await parked(storeA, A, T0 + 1_000);
    await parked(storeA, A, T0 + 60_000); // not yet due
    await parked(storeA, A); // no deadline
    expect(await sweeper.findOverdueReviews(T0 + 5_000, 10)).toEqual([
      { tenantId: A, jobId: early, version: 2 },
      { tenantId: G, jobId: late, version: 2 },
    ]);
    expect(await sweeper.findOverdueReviews(T0 + 1_500, 1)).toEqual([
      { tenantId: A, jobId: early, version: 2 },
    ]);
    expect(await sweeper.findOverdueReviews(T0, 10)).toEqual([]);
  });
});

describe("a run's named writes (checkpoint, rest, release, park, finish)", () => {
  const claimed = async () => {
    const j = await created();
    const c = await storeA.claim(j._id, "w1", 60_000, T0);
    expect(c.ok).toBe(true);
    return j._id;
  };

  it("are fenced by the run's version and lease owner: another owner or a stale version writes nothing", async () => {
    const id = await claimed();
    expect(
      await storeA.checkpoint(id, { owner: "w2", version: 1 }, { execution: { n: 1 } }, T0 + 1),
    ).toMatchObject({ ok: false, current: { version: 1, status: "running" } });
    expect(await storeA.checkpoint(id, { owner: "w1", version: 1 }, { execution: { n: 1 } }, T0 + 1)).toEqual(
      {
        ok: true,
        version: 2,
      },
    );
    expect(
      (await storeA.checkpoint(id, { owner: "w1", version: 1 }, { execution: { n: 9 } }, T0 + 2)).ok,
    ).toBe(false);
    // A cancel in between makes the run's next write lose.
    expect((await storeA.cancel(id, T0 + 3)).ok).toBe(true);
    expect(
      (
        await storeA.finish(
          id,
          { owner: "w1", version: 2 },
          {},
          { status: "complete", output: { inline: 1 } },
          T0 + 4,
        )
      ).ok,
    ).toBe(false);
    expect(await storeA.get(id)).toMatchObject({ status: "cancelled", execution: { n: 1 } });
  });

  it("rest and park give the lease back with their fields and history; finish ends the job", async () => {
    const rested = await claimed();
    expect(
      (await storeA.rest(rested, { owner: "w1", version: 1 }, { execution: { at: "W" } }, T0 + 500, T0)).ok,
    ).toBe(true);
    expect(await storeA.get(rested)).toMatchObject({ status: "queued", lease: null, wakeAt: T0 + 500 });

    const parked = await claimed();
    const review = { taskToken: "t", stateName: "R", input: { inline: { a: 1 } }, requestedAt: T0 };
    expect((await storeA.park(parked, { owner: "w1", version: 1 }, {}, review, T0 + 1)).ok).toBe(true);
    const p = (await storeA.get(parked))!;
    expect(p).toMatchObject({ status: "needs_review", lease: null, review });
    expect(p.history.at(-1)).toMatchObject({ type: "review_requested", state: "R" });

    const done = await claimed();
    const end = { status: "failed", error: "E", cause: "c" } as const;
    expect((await storeA.finish(done, { owner: "w1", version: 1 }, {}, end, T0 + 7)).ok).toBe(true);
    expect(await storeA.get(done)).toMatchObject({ ...end, lease: null, finishedAt: T0 + 7 });

    const released = await claimed();
    expect((await storeA.release(released, { owner: "w1", version: 1 }, {}, T0 + 8)).ok).toBe(true);
    expect(await storeA.get(released)).toMatchObject({ status: "queued", lease: null });
  });
});
