import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { MongoClient } from "mongodb";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { ensureIndexes } from "../../shared/mongo/indexes.ts";
import { HISTORY_LIMIT, newQueuedJob } from "../../shared/jobs/job-doc.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { newJobId } from "../../shared/jobs/job-id.ts";
import { JobStore } from "../../shared/jobs/job-store.ts";
import { scopedCollection } from "../../shared/tenancy/scoped-collection.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";

const url = process.env.MONGO_URL;
if (!url) throw new Error("MONGO_URL is not set (see infra/)");
const client = new MongoClient(url);
const db = client.db(`sluice_test_jobs_cas_${process.pid}_${Math.random().toString(36).slice(2, 8)}`);
const jobs = db.collection<JobDoc>(COLLECTIONS.jobs);
const store = new JobStore(scopedCollection(jobs, tenantId("acme"), db));
const T0 = 1_767_225_600_000;

beforeAll(async () => {
  await client.connect();
  await ensureIndexes(db);
});

afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

let seq = 0;
/** A fresh job whose execution state holds a counter, bumped `initialWrites` times first. */
async function counterJob(initialWrites: number): Promise<{ id: string; version: number }> {
  seq++;
  const job = newQueuedJob(
    {
      jobId: newJobId(T0 + seq),
      tenantId: tenantId("acme"),
      idempotencyKey: `counter-${seq}`,
      workflow: { name: "counter", version: "1" },
      input: { inline: null },
    },
    T0,
  );
  await store.create({ ...job, execution: { counter: 0 } });
  let version = 0;
  for (let i = 0; i < initialWrites; i++) {
    const r = await store.casUpdate(job._id, version, { priority: i }, T0);
    if (!r.ok) throw new Error("unexpected conflict while priming");
    version = r.version;
  }
  return { id: job._id, version };
}

const counterOf = (doc: JobDoc | null): number => {
  const c = doc?.execution?.counter;
  if (typeof c !== "number") throw new Error(`no counter in ${JSON.stringify(doc)}`);
  return c;
};

/** read → add delta → CAS, retrying from the reloaded document on conflict. */
async function increment(
  id: string,
  writer: number,
  delta: number,
  gate: <T>(label: string, op: () => Promise<T>) => Promise<T>,
  rereadOnConflict: boolean,
): Promise<{ version: number; conflicts: number }> {
  let doc = await gate(`w${writer} read`, () => store.get(id));
  for (let conflicts = 0; ; conflicts++) {
    if (doc === null) throw new Error("job vanished");
    const { version } = doc;
    const next = { counter: counterOf(doc) + delta, lastWriter: writer };
    const r = await gate(`w${writer} cas@${version}`, () =>
      store.casUpdate(id, version, { execution: next }, T0, {
        history: [{ at: T0, type: "inc", detail: writer }],
      }),
    );
    if (r.ok) return { version: r.version, conflicts };
    expect(r.current).not.toBeNull();
    expect(r.current!.version).toBeGreaterThan(version); // a conflict always means someone else moved on
    doc = rereadOnConflict ? await gate(`w${writer} reread`, () => store.get(id)) : r.current;
  }
}

const writerSpec = fc.record({
  increments: fc.integer({ min: 1, max: 3 }),
  delta: fc.integer({ min: 1, max: 9 }),
  rereadOnConflict: fc.boolean(),
});

describe("CAS store under competing writers", () => {
  it("property: under any interleaving no update is lost and versions are gap-free", async () => {
    let totalConflicts = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(writerSpec, { minLength: 2, maxLength: 5 }),
        fc.nat({ max: 3 }),
        async (s, writers, initialWrites) => {
          const { id, version: initial } = await counterJob(initialWrites);
          // Each store call waits for the scheduler's permission, then runs to completion before the
          // next one is released: the interleaving of reads and CAS writes is fast-check's choice
          // and replays from the seed.
          const inflight = new Set<Promise<unknown>>();
          const gate = async <T>(label: string, op: () => Promise<T>): Promise<T> => {
            await s.schedule(Promise.resolve(label), label);
            const p = op();
            inflight.add(p);
            try {
              return await p;
            } finally {
              inflight.delete(p);
            }
          };
          const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
          const results: { version: number; conflicts: number }[] = [];
          const done = Promise.all(
            writers.map(async (w, i) => {
              for (let k = 0; k < w.increments; k++) {
                results.push(await increment(id, i, w.delta, gate, w.rereadOnConflict));
              }
            }),
          );
          await settle();
          while (s.count() > 0 || inflight.size > 0) {
            if (inflight.size > 0) await Promise.allSettled([...inflight]);
            else await s.waitOne();
            await settle();
          }
          await done;

          const total = writers.reduce((n, w) => n + w.increments, 0);
          const sum = writers.reduce((n, w) => n + w.increments * w.delta, 0);
          const final = await store.get(id);
          expect(final?.version).toBe(initial + total);
          expect(counterOf(final)).toBe(sum);
          expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(
            Array.from({ length: total }, (_, i) => initial + 1 + i),
          );
          expect(final?.history).toHaveLength(Math.min(total, HISTORY_LIMIT));
          totalConflicts += results.reduce((n, r) => n + r.conflicts, 0);
        },
      ),
      { numRuns: 60 },
    );
    expect(totalConflicts).toBeGreaterThan(0); // the interleavings really did race
  });

  it("many real concurrent writers against the server lose nothing", async () => {
    const { id, version: initial } = await counterJob(2);
    const direct = <T>(_label: string, op: () => Promise<T>): Promise<T> => op();
    const writers = 24;
    const each = 8;
    const results = await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const mine: { version: number; conflicts: number }[] = [];
        for (let k = 0; k < each; k++) mine.push(await increment(id, w, w + 1, direct, w % 2 === 0));
        return mine;
      }),
    );
    const flat = results.flat();
    const final = await store.get(id);
    expect(final?.version).toBe(initial + writers * each);
    expect(counterOf(final)).toBe(each * ((writers * (writers + 1)) / 2));
    expect(flat.map((r) => r.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: writers * each }, (_, i) => initial + 1 + i),
    );
    expect(flat.reduce((n, r) => n + r.conflicts, 0)).toBeGreaterThan(0);
  });

  it("concurrent claims, steals and checkpoints lose no committed write", async () => {
    const { id } = await counterJob(0);
    const owners = Array.from({ length: 8 }, (_, i) => `w${i}`);
    // Each owner repeatedly tries to claim (leases expire instantly at these times) and checkpoint.
    const wins = await Promise.all(
      owners.map(async (owner) => {
        let committed = 0;
        for (let round = 0; round < 6; round++) {
          const now = T0 + round * 1000;
          const c = await store.claim(id, owner, 500, now);
          if (!c.ok) continue;
          const r = await store.casUpdate(
            id,
            c.job.version,
            { execution: { counter: counterOf(c.job) + 1 } },
            now,
          );
          if (r.ok) committed++;
        }
        return committed;
      }),
    );
    const final = await store.get(id);
    const committed = wins.reduce((a, b) => a + b, 0);
    expect(counterOf(final)).toBe(committed);
    expect(final?.attempts).toBeGreaterThan(0);
    // every successful write bumped the version once: claims + checkpoints
    expect(final?.version).toBe(committed + (final?.history.filter((h) => h.type === "claimed").length ?? 0));
  });
});
