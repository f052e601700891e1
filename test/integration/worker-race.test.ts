/**
 * Duplicate delivery (issue 4): two workers get the same work message; exactly one advances the
 * job, the other backs off without a write.
 *
 * Each worker is built with `createWorker` over the fleet's runtime, but its job store sits on a
 * tapped collection that counts the MongoDB updates (`updateOne`; `bulkUpdateOne` when the store
 * coalesced several jobs' writes, which one job alone never does) that matched a document (writes)
 * and those that matched nothing (lost compare-and-sets), so "without a write" is counted, not
 * inferred. Messages are received here and handed to `worker.handle()`, so both workers really hold
 * one each.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReceivedMessage } from "../../shared/aws/sqs-port.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { JobStore } from "../../shared/jobs/job-store.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { tenantCollection } from "../../shared/tenancy/scoped-collection.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { createWorker } from "../../workers/create-worker.ts";
import type { MessageOutcome, Worker } from "../../workers/worker.ts";
import {
  INVOCATIONS,
  PROOF_WORKFLOWS_DIR,
  RECORD_CHAIN,
  recordingSteps,
  type Invocation,
  type TrailEntry,
} from "./fixtures/record-steps.ts";
import { sleep } from "./helpers/env.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

const acme = tenantId("acme");
let fleet: TestFleet;
/** Final version of a clean single-worker run of the workflow. */
let baselineVersion: number;

beforeAll(async () => {
  fleet = await createTestFleet("race", {
    workflowsDir: PROOF_WORKFLOWS_DIR,
    steps: recordingSteps(() => fleet.rt.fleetDb, { tag: "baseline" }),
    env: { SLUICE_LEASE_SECONDS: "30", SLUICE_VISIBILITY_TIMEOUT_SECONDS: "30" },
  });
  const w = await fleet.startWorker({ owner: "baseline" });
  const id = await fleet.submit("acme", RECORD_CHAIN, {});
  baselineVersion = (await fleet.waitForJob("acme", id, (j) => j.status === "complete")).version;
  await fleet.stopWorker(w);
  await sleep(1_500); // let the stopped worker's abandoned long poll (1 s) end
});
afterAll(() => fleet?.cleanup());

interface Tap {
  writes: number;
  /** Update ops that matched nothing. */
  unmatched: number;
  /** Awaited after every read of a job document (e.g. a barrier). */
  afterRead?: () => Promise<void>;
}

function tappedWorker(owner: string, tap: Tap, slow: Record<string, number> = {}): Worker {
  const inner = tenantCollection<JobDoc>(fleet.rt.router, acme, COLLECTIONS.jobs);
  const tapped = new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop === "updateOne") {
        return async (...args: Parameters<typeof inner.updateOne>) => {
          const res = await inner.updateOne(...args);
          if (res.matchedCount > 0) tap.writes++;
          else tap.unmatched++;
          return res;
        };
      }
      if (prop === "bulkUpdateOne") {
        return async (...args: Parameters<typeof inner.bulkUpdateOne>) => {
          const res = await inner.bulkUpdateOne(...args);
          tap.writes += res.matchedCount;
          tap.unmatched += args[0].length - res.matchedCount;
          return res;
        };
      }
      if (prop === "findOneAndUpdate") throw new Error("the job store no longer uses findOneAndUpdate");
      if (prop === "findOne") {
        return async (...args: Parameters<typeof inner.findOne>) => {
          const res = await inner.findOne(...args);
          await tap.afterRead?.();
          return res;
        };
      }
      return value;
    },
  });
  const store = new JobStore(tapped);
  return createWorker(
    { ...fleet.rt, jobsOf: () => store },
    { catalog: fleet.catalog, steps: recordingSteps(() => fleet.rt.fleetDb, { tag: owner, slow }), owner },
  );
}

/** A job, its work message sent twice, and both copies received (each held by one receiver). */
async function duplicateDelivery(): Promise<{ jobId: string; copies: [ReceivedMessage, ReceivedMessage] }> {
  const jobId = await fleet.submit("acme", RECORD_CHAIN, {}, { send: false });
  await fleet.sendWork("acme", jobId);
  await fleet.sendWork("acme", jobId);
  const got: ReceivedMessage[] = [];
  const deadline = Date.now() + 10_000;
  while (got.length < 2 && Date.now() < deadline) {
    got.push(
      ...(await fleet.rt.sqs.receive(fleet.rt.queues.work, {
        maxMessages: 2,
        waitSeconds: 1,
        visibilityTimeout: 30,
      })),
    );
  }
  expect(got.map((m) => JSON.parse(m.body) as unknown)).toEqual([
    { tenantId: "acme", jobId },
    { tenantId: "acme", jobId },
  ]);
  return { jobId, copies: [got[0]!, got[1]!] };
}

const invocations = (jobId: string) =>
  fleet.rt.fleetDb.collection<Invocation>(INVOCATIONS).find({ jobId }).sort({ at: 1 }).toArray();
const trailStates = (job: JobDoc) =>
  (job.output as unknown as { inline: { trail: TrailEntry[] } }).inline.trail.map((t) => t.state);
const claims = (job: JobDoc) => job.history.filter((e) => e.type === "claimed");

/** Which of the two outcomes advanced the job; the other must have backed off. */
function split(outcomes: MessageOutcome[]): { winner: number; loser: number } {
  const winner = outcomes.findIndex((o) => o.kind === "finished");
  expect(winner).toBeGreaterThanOrEqual(0);
  return { winner, loser: 1 - winner };
}

describe("two workers racing for the same job (duplicate delivery)", () => {
  it("exactly one advances it; the other backs off without a write", async () => {
    const { jobId, copies } = await duplicateDelivery();
    const taps: [Tap, Tap] = [
      { writes: 0, unmatched: 0 },
      { writes: 0, unmatched: 0 },
    ];
    const workers = [
      tappedWorker("racer-1", taps[0], { A: 300 }),
      tappedWorker("racer-2", taps[1], { A: 300 }),
    ];
    const outcomes = await Promise.all([workers[0]!.handle(copies[0]), workers[1]!.handle(copies[1])]);
    const { winner, loser } = split(outcomes);

    expect(outcomes[winner]).toEqual({ kind: "finished", status: "complete" });
    expect(["skipped", "lost"]).toContain(outcomes[loser]!.kind);
    expect(taps[loser]!.writes).toBe(0);

    const job = (await fleet.getJob("acme", jobId))!;
    expect(job.status).toBe("complete");
    expect(job.version).toBe(baselineVersion);
    expect(claims(job).map((e) => (e.detail as { owner: string }).owner)).toEqual([`racer-${winner + 1}`]);
    expect(trailStates(job)).toEqual(["A", "B", "C"]);
    expect((await invocations(jobId)).map((i) => [i.state, i.tag])).toEqual(
      ["A", "B", "C"].map((s) => [s, `racer-${winner + 1}`]),
    );
  });

  /** A barrier each worker passes once: released when both arrived (or after 5 s). */
  function barrier(): { arrived: () => number; once: () => () => Promise<void> } {
    let arrived = 0;
    let open: () => void = () => undefined;
    const all = new Promise<void>((r) => (open = r));
    return {
      arrived: () => arrived,
      once: () => {
        let passed = false;
        return async () => {
          if (passed) return;
          passed = true;
          if (++arrived === 2) open();
          await Promise.race([all, sleep(5_000)]);
        };
      },
    };
  }

  it("when both claim a new job at the same moment, one claim writes and the other writes nothing", async () => {
    const { jobId, copies } = await duplicateDelivery();
    // A barrier after each worker's first read: both decide on version 0 (queued), then both CAS.
    const b = barrier();
    const taps: [Tap, Tap] = [
      { writes: 0, unmatched: 0, afterRead: b.once() },
      { writes: 0, unmatched: 0, afterRead: b.once() },
    ];
    const workers = [tappedWorker("claimer-1", taps[0]), tappedWorker("claimer-2", taps[1])];
    const outcomes = await Promise.all([workers[0]!.handle(copies[0]), workers[1]!.handle(copies[1])]);
    const { winner, loser } = split(outcomes);

    expect(b.arrived()).toBe(2);
    // The loser's CAS on version 0 matched nothing; it re-read, saw the winner's lease, backed off.
    expect(outcomes[loser]).toEqual({ kind: "skipped", reason: "leased" });
    expect(taps[loser]!.unmatched).toBe(1);
    expect(taps[loser]!.writes).toBe(0);
    expect(taps[winner]!.unmatched).toBe(0);

    const job = (await fleet.getJob("acme", jobId))!;
    expect(job.version).toBe(baselineVersion);
    expect(claims(job)).toHaveLength(1);
    expect(trailStates(job)).toEqual(["A", "B", "C"]);
  });

  it("when both read the same version before either writes, the CAS lets one through and the other writes nothing", async () => {
    const { jobId, copies } = await duplicateDelivery();
    // A job already moved past version 0 (here a priority change): claims read, decide and CAS.
    const bumped = await fleet.rt.jobsOf(acme).casUpdate(jobId, 0, { priority: 1 }, Date.now());
    expect(bumped).toEqual({ ok: true, version: 1 });
    // A barrier on the first read of each worker: both claims decide on version 1, then both write.
    const b = barrier();
    const taps: [Tap, Tap] = [
      { writes: 0, unmatched: 0, afterRead: b.once() },
      { writes: 0, unmatched: 0, afterRead: b.once() },
    ];
    const workers = [tappedWorker("reader-1", taps[0]), tappedWorker("reader-2", taps[1])];
    const outcomes = await Promise.all([workers[0]!.handle(copies[0]), workers[1]!.handle(copies[1])]);
    const { winner, loser } = split(outcomes);

    expect(b.arrived()).toBe(2);
    expect(outcomes[loser]!.kind).toMatch(/^(skipped|lost)$/);
    expect(taps[loser]!.unmatched).toBeGreaterThanOrEqual(1); // it did try, on the stale version
    expect(taps[loser]!.writes).toBe(0);
    expect(taps[winner]!.unmatched).toBe(0);

    const job = (await fleet.getJob("acme", jobId))!;
    expect(job.version).toBe(baselineVersion + 1); // the priority change
    expect(claims(job)).toHaveLength(1);
    expect(trailStates(job)).toEqual(["A", "B", "C"]);
  });

  it("a worker whose lease was taken over mid-step loses its checkpoint and writes nothing after", async () => {
    const { jobId, copies } = await duplicateDelivery();
    const stale: Tap = { writes: 0, unmatched: 0 };
    const fresh: Tap = { writes: 0, unmatched: 0 };
    const slowWorker = tappedWorker("stale", stale, { B: 1_500 });
    const slowRun = slowWorker.handle(copies[0]);

    // Once the stale worker is inside step B, its lease runs out (backdated) and the duplicate
    // message reaches another worker, which takes the job over and finishes it.
    const deadline = Date.now() + 10_000;
    while (!(await invocations(jobId)).some((i) => i.state === "B") && Date.now() < deadline) await sleep(20);
    await fleet.rt.fleetDb
      .collection<JobDoc>(COLLECTIONS.jobs)
      .updateOne({ _id: jobId }, { $set: { "lease.expiresAt": Date.now() - 1_000 } });
    const writesBeforeTakeover = stale.writes;
    const takeover = await tappedWorker("fresh", fresh).handle(copies[1]);
    expect(takeover).toEqual({ kind: "finished", status: "complete" });

    const staleOutcome = await slowRun;
    expect(staleOutcome.kind).toBe("lost");
    expect(stale.writes).toBe(writesBeforeTakeover);
    expect(stale.unmatched).toBeGreaterThanOrEqual(1);

    const job = (await fleet.getJob("acme", jobId))!;
    expect(job.status).toBe("complete");
    expect(trailStates(job)).toEqual(["A", "B", "C"]);
    expect(job.version).toBe(baselineVersion + 1); // one extra claim (the takeover)
    const b = (await invocations(jobId)).filter((i) => i.state === "B");
    expect(b.map((i) => i.tag)).toEqual(["stale", "fresh"]);
    expect(new Set(b.map((i) => i.key)).size).toBe(1);
  });
});
