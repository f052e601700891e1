/**
 * Group commit (shared/jobs/job-io.ts, ADR 0004) against the real MongoDB-wire server: reads and
 * compare-and-set writes that concurrent jobs make in one event-loop turn share one command, and
 * every request still gets its own, correct answer — including conflicts inside a bulk, whose
 * outcome the matched count alone cannot tell.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Collection, Db } from "mongodb";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { ensureIndexes } from "../../shared/mongo/indexes.ts";
import { newQueuedJob, type JobDoc } from "../../shared/jobs/job-doc.ts";
import { newJobId } from "../../shared/jobs/job-id.ts";
import { CAS_TOKEN_LOG, CasOutcomeUnknownError, JobIo } from "../../shared/jobs/job-io.ts";
import { JobStore } from "../../shared/jobs/job-store.ts";
import { scopedCollection, type ScopedCollection } from "../../shared/tenancy/scoped-collection.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { testDatabase } from "./helpers/mongo.ts";

const acme = tenantId("acme");
const T0 = 1_767_225_600_000;
let db: Db;
let raw: Collection<JobDoc>;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ db, drop } = await testDatabase("group_commit"));
  raw = db.collection<JobDoc>(COLLECTIONS.jobs);
  await ensureIndexes(db);
});
afterAll(() => drop());

/** Counts the commands the store sends, by method, and the ops of each bulk. */
interface Tap {
  calls: Record<string, number>;
  bulkSizes: number[];
  shortBulks: number;
}

function tapped(): { jobs: ScopedCollection<JobDoc>; tap: Tap } {
  const inner = scopedCollection(raw, acme, db);
  const tap: Tap = { calls: {}, bulkSizes: [], shortBulks: 0 };
  const count = (m: string) => (tap.calls[m] = (tap.calls[m] ?? 0) + 1);
  const jobs = new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== "string" || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        count(prop);
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (prop === "bulkUpdateOne") {
          const n = (args[0] as unknown[]).length;
          tap.bulkSizes.push(n);
          return (out as ReturnType<typeof inner.bulkUpdateOne>).then((r) => {
            if (r.matchedCount < n) tap.shortBulks++;
            return r;
          });
        }
        return out;
      };
    },
  });
  return { jobs, tap };
}

let seq = 0;
async function newJobs(store: JobStore, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    seq++;
    const job = newQueuedJob(
      {
        jobId: newJobId(T0 + seq),
        tenantId: acme,
        idempotencyKey: `gc-${seq}`,
        workflow: { name: "counter", version: "1" },
        input: { inline: null },
      },
      T0,
    );
    await store.create({ ...job, execution: { counter: 0 } });
    ids.push(job._id);
  }
  return ids;
}

const counterOf = (doc: JobDoc | null): number => {
  const c = doc?.execution?.counter;
  if (typeof c !== "number") throw new Error(`no counter in ${JSON.stringify(doc)}`);
  return c;
};

describe("group commit: coalesced reads and compare-and-set writes", () => {
  it("reads made in one turn are one find; each gets its own document, or null", async () => {
    const { jobs, tap } = tapped();
    const store = new JobStore(jobs);
    const ids = await newJobs(store, 12);
    tap.calls = {};
    const got = await Promise.all([...ids, "j_missing_0000000000000", ids[0]!].map((id) => store.get(id)));
    expect(tap.calls).toEqual({ find: 1, findOne: 1 });
    expect(got.slice(0, 12).map((j) => j?._id)).toEqual(ids);
    expect(got[12]).toBeNull();
    expect(got[13]?._id).toBe(ids[0]); // a repeated id goes to a command of its own
  });

  it("writes made in one turn are one bulk; conflicts inside it are told apart by read-back", async () => {
    const { jobs, tap } = tapped();
    const store = new JobStore(jobs);
    const ids = await newJobs(store, 20);
    tap.calls = {};
    // Every fourth write names a stale version: the bulk matches 15 of 20.
    const results = await Promise.all(
      ids.map((id, i) => store.casUpdate(id, i % 4 === 3 ? 7 : 0, { execution: { counter: i } }, T0 + 1)),
    );
    expect(tap.bulkSizes).toEqual([20]);
    expect(tap.shortBulks).toBe(1);
    // The bulk, then one read-back of the write tokens, then one reload of the 5 losers' documents.
    expect(tap.calls).toEqual({ bulkUpdateOne: 1, find: 2 });
    results.forEach((r, i) => {
      if (i % 4 === 3) expect(r).toMatchObject({ ok: false, current: { _id: ids[i], version: 0 } });
      else expect(r).toEqual({ ok: true, version: 1 });
    });
    const docs = await Promise.all(ids.map((id) => store.get(id)));
    docs.forEach((d, i) => {
      expect(d?.version).toBe(i % 4 === 3 ? 0 : 1);
      expect(counterOf(d)).toBe(i % 4 === 3 ? 0 : i);
    });
  });

  /**
   * Another writer moves documents on between the bulk's reply and the read-back (the tap runs
   * `meanwhile` right after the bulk): each op must still be told exactly.
   */
  async function bulkThenMeanwhile(meanwhile: (ids: string[], other: JobStore) => Promise<void>) {
    const inner = scopedCollection(raw, acme, db);
    const other = new JobStore(inner, { coalesce: false });
    let ids: string[] = [];
    const jobs = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop !== "bulkUpdateOne") return Reflect.get(target, prop, receiver) as unknown;
        return async (...args: Parameters<typeof inner.bulkUpdateOne>) => {
          const r = await inner.bulkUpdateOne(...args);
          await meanwhile(ids, other);
          return r;
        };
      },
    });
    const store = new JobStore(jobs);
    ids = await newJobs(store, 3);
    // Job 0 applies; job 1 loses (stale version); job 2 applies. The short count forces read-back.
    const results = await Promise.allSettled(
      ids.map((id, i) => store.casUpdate(id, i === 1 ? 5 : 0, { priority: 1 }, T0)),
    );
    return results;
  }

  const bump = async (other: JobStore, id: string, times: number) => {
    for (let k = 0; k < times; k++) {
      const v = (await other.get(id))!.version;
      expect((await other.casUpdate(id, v, { priority: 10 + k }, T0)).ok).toBe(true);
    }
  };

  it("a write that applied and was overwritten before the read-back still counts as applied", async () => {
    const results = await bulkThenMeanwhile(async (ids, other) => {
      await bump(other, ids[0]!, 3); // three later writes on job 0
      await bump(other, ids[1]!, 2); // and two on the job whose write lost
    });
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
    const [a, b, c] = results.map((r) => (r as PromiseFulfilledResult<{ ok: boolean }>).value);
    expect(a).toEqual({ ok: true, version: 1 });
    expect(b).toMatchObject({ ok: false, current: { version: 2 } });
    expect(c).toEqual({ ok: true, version: 1 });
  });

  it(`more than ${CAS_TOKEN_LOG} writes before the read-back: the outcome is an error, never a guess`, async () => {
    const results = await bulkThenMeanwhile(async (ids, other) => {
      await bump(other, ids[0]!, CAS_TOKEN_LOG + 1);
    });
    expect(results[0]!.status).toBe("rejected");
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(CasOutcomeUnknownError);
    expect(results.slice(1).map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
  });

  it("a read-back that fails rejects every op of its bulk (unknown outcome), never a guess", async () => {
    const inner = scopedCollection(raw, acme, db);
    const lost = new Error("connection lost during read-back");
    const jobs = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop !== "find") return Reflect.get(target, prop, receiver) as unknown;
        return (...args: Parameters<typeof inner.find>) => {
          const projection = (args[1]?.projection ?? {}) as Record<string, unknown>;
          if ("casTokens" in projection) throw lost;
          return inner.find(...args);
        };
      },
    });
    const store = new JobStore(jobs);
    const ids = await newJobs(store, 3);
    const settled = await Promise.allSettled(
      ids.map((id, i) => store.casUpdate(id, i === 1 ? 5 : 0, { priority: 2 }, T0)),
    );
    expect(settled.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    for (const r of settled) expect((r as PromiseRejectedResult).reason).toBe(lost);
    // What the server holds is what happened: jobs 0 and 2 were written, job 1 was not.
    const docs = await Promise.all(ids.map((id) => store.get(id)));
    expect(docs.map((d) => d?.version)).toEqual([1, 0, 1]);
  });

  it("an op the server refuses fails alone; the rest of its bulk applies", async () => {
    const { jobs } = tapped();
    const store = new JobStore(jobs);
    const ids = await newJobs(store, 3);
    const io = new JobIo(jobs);
    const cas = (id: string, inc: Record<string, number>, set: Record<string, unknown> = {}) =>
      io.write({
        jobId: id,
        expectedVersion: 0,
        filter: { _id: id, version: 0 },
        update: { $set: set, $inc: { version: 1, ...inc } },
      });
    const settled = await Promise.allSettled([
      cas(ids[0]!, {}, { priority: 5 }),
      cas(ids[1]!, { idempotencyKey: 1 }), // $inc of a string: refused by the server
      cas(ids[2]!, {}, { priority: 6 }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(settled.filter((s) => s.status === "fulfilled").map((s) => s.value)).toEqual([true, true]);
    const docs = await Promise.all(ids.map((id) => store.get(id)));
    expect(docs.map((d) => [d?.version, d?.priority])).toEqual([
      [1, 5],
      [0, 0],
      [1, 6],
    ]);
  });

  it("a lone request is a plain findOne / updateOne, as without group commit", async () => {
    const { jobs, tap } = tapped();
    const store = new JobStore(jobs);
    const [id] = await newJobs(store, 1);
    tap.calls = {};
    expect(await store.casUpdate(id!, 0, { priority: 3 }, T0)).toEqual({ ok: true, version: 1 });
    expect((await store.get(id!))?.priority).toBe(3);
    expect(tap.calls).toEqual({ updateOne: 1, findOne: 1 });
  });

  it.each([
    ["coalesced", true],
    ["one command per call", false],
  ])(
    "%s: competing writers on many jobs through one store lose nothing, versions gap-free",
    async (_label, coalesce) => {
      const { jobs, tap } = tapped();
      const store = new JobStore(jobs, { coalesce });
      const ids = await newJobs(store, 6);
      const writers = 16;
      const each = 6;
      // Each writer increments jobs round-robin from its own offset: read, add, CAS, retry on conflict.
      const applied = new Map<string, number[]>(ids.map((id) => [id, []]));
      let conflicts = 0;
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let k = 0; k < each; k++) {
            const id = ids[(w + k) % ids.length]!;
            let doc = await store.get(id);
            for (;;) {
              const r = await store.casUpdate(
                id,
                doc!.version,
                { execution: { counter: counterOf(doc) + w + 1 } },
                T0,
              );
              if (r.ok) {
                applied.get(id)!.push(r.version);
                break;
              }
              conflicts++;
              doc = r.current;
            }
          }
        }),
      );
      for (const id of ids) {
        const doc = await store.get(id);
        const versions = applied.get(id)!.sort((a, b) => a - b);
        expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
        expect(doc?.version).toBe(versions.length);
      }
      const expectedSum = Array.from({ length: writers }, (_, w) => each * (w + 1)).reduce(
        (a, b) => a + b,
        0,
      );
      const docs = await Promise.all(ids.map((id) => store.get(id)));
      expect(docs.reduce((n, d) => n + counterOf(d), 0)).toBe(expectedSum);
      expect(conflicts).toBeGreaterThan(0); // the writers really raced
      if (coalesce) {
        expect(Math.max(...tap.bulkSizes)).toBeGreaterThan(1);
        expect(tap.shortBulks).toBeGreaterThan(0); // conflicts inside bulks took the read-back path
      } else {
        expect(tap.calls.bulkUpdateOne ?? 0).toBe(0);
        expect(tap.calls.find ?? 0).toBe(0);
      }
    },
  );
});
