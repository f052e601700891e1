/**
 * Crash safety (issue 4): a worker process killed with SIGKILL in the middle of a step loses no job
 * and commits no step twice.
 *
 * The workflow `record-chain` is Init (Pass) → A → B → C (Tasks) → Done. Its `record` step logs each
 * invocation (state, idempotency key, pid) in `step_invocations` and appends `{ state, key, pid }`
 * to `$.trail`, so the job's output lists every state result that was committed into the execution,
 * once per commit. A child process (fixtures/crash-worker.ts) runs the job with a 60 s step B and is
 * SIGKILLed once B started. The dead state is then built directly (the lease backdated, as if its
 * time ran out) and the sweeper's tick re-enqueues the job; a second worker in this process resumes
 * it from the last checkpoint.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
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

const CRASH_WORKER = resolve(import.meta.dirname, "fixtures/crash-worker.ts");
const CHILD_OWNER = "crash-child";
const SURVIVOR = "survivor";

let fleet: TestFleet;
let child: ChildProcess | undefined;

beforeAll(async () => {
  fleet = await createTestFleet("crash", {
    workflowsDir: PROOF_WORKFLOWS_DIR,
    steps: recordingSteps(() => fleet.rt.fleetDb, { tag: SURVIVOR }),
    env: { SLUICE_LEASE_SECONDS: "30", SLUICE_VISIBILITY_TIMEOUT_SECONDS: "30" },
  });
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await fleet?.cleanup();
});

const invocations = (jobId: string) =>
  fleet.rt.fleetDb.collection<Invocation>(INVOCATIONS).find({ jobId }).sort({ at: 1 }).toArray();
const trailOf = (job: JobDoc) =>
  (job.output as unknown as { inline: { trail: TrailEntry[] } }).inline.trail ?? [];
const eventsOf = (job: JobDoc, type: string) => job.history.filter((e) => e.type === type);

/** Starts the crash worker over this file's fleet; resolves once it is polling. */
async function startChild(): Promise<ChildProcess> {
  const c = fleet.config;
  const proc = spawn(process.execPath, ["--import", "tsx", CRASH_WORKER], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "test",
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "test",
      SLUICE_QUEUE_PREFIX: c.queues.prefix,
      SLUICE_BUCKET: c.s3.bucket,
      SLUICE_DB: c.mongo.db,
      SLUICE_POLL_WAIT_SECONDS: "1",
      SLUICE_LEASE_SECONDS: "30",
      SLUICE_VISIBILITY_TIMEOUT_SECONDS: "30",
      LOG_LEVEL: "silent",
      CRASH_OWNER: CHILD_OWNER,
      CRASH_SLOW_STATE: "B",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  proc.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  await new Promise<void>((ready, fail) => {
    proc.stdout?.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) ready();
    });
    proc.once("exit", (code) => fail(new Error(`crash worker exited early (${code}): ${err}`)));
  });
  return proc;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("a worker killed with SIGKILL in the middle of a step", () => {
  it("loses no job: another worker resumes from the last checkpoint and commits every state once", async () => {
    // Baseline: the same workflow, nobody killed; how many CAS writes (version) a clean run takes.
    const baselineWorker = await fleet.startWorker({ owner: SURVIVOR });
    const baselineId = await fleet.submit("acme", RECORD_CHAIN, {});
    const baseline = await fleet.waitForJob("acme", baselineId, (j) => j.status === "complete");
    await fleet.stopWorker(baselineWorker);
    expect(trailOf(baseline).map((t) => t.state)).toEqual(["A", "B", "C"]);

    // The child runs the job until it is inside step B, then dies without any chance to clean up.
    child = await startChild();
    const childPid = child.pid!;
    const jobId = await fleet.submit("acme", RECORD_CHAIN, {});
    await until("step B to start in the child", async () =>
      (await invocations(jobId)).find((i) => i.state === "B" && i.pid === childPid),
    );
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    // The child died inside a long poll. The server still serves that receive until its wait
    // (1 s) ends and would hand it, invisibly for 30 s, the next message sent: wait it out.
    await sleep(1_500);

    const dead = (await fleet.getJob("acme", jobId))!;
    expect(dead.status).toBe("running");
    expect(dead.lease?.owner).toBe(CHILD_OWNER);

    // The dead state: the lease ran out (backdated directly; not a job-state write, so no version
    // bump), then one sweeper tick re-enqueues the job.
    await fleet.rt.fleetDb
      .collection<JobDoc>(COLLECTIONS.jobs)
      .updateOne({ _id: jobId }, { $set: { "lease.expiresAt": Date.now() - 1_000 } });
    const report = await fleet.sweeper().tick();
    expect(report.expired).toBe(1);

    await fleet.startWorker({ owner: SURVIVOR });
    const done = await fleet.waitForJob("acme", jobId, (j) => j.status === "complete", 30_000);

    // Every state's result is in the execution exactly once; A was committed by the child and
    // kept, B and C by the survivor.
    const trail = trailOf(done);
    expect(trail.map((t) => t.state)).toEqual(["A", "B", "C"]);
    expect(trail.map((t) => t.pid)).toEqual([childPid, process.pid, process.pid]);

    // Invocations: A once, B twice (killed mid-flight, then redone) with the same idempotency key,
    // C once; every committed result carries the key of its invocation.
    const calls = await invocations(jobId);
    const byState = (s: string) => calls.filter((c) => c.state === s);
    expect(byState("A").map((c) => c.pid)).toEqual([childPid]);
    expect(byState("B").map((c) => c.pid)).toEqual([childPid, process.pid]);
    expect(byState("C").map((c) => c.pid)).toEqual([process.pid]);
    expect(new Set(byState("B").map((c) => c.key)).size).toBe(1);
    for (const s of ["A", "B", "C"]) expect(byState(s).length).toBeLessThanOrEqual(2);
    expect(trail.map((t) => t.key)).toEqual(["A", "B", "C"].map((s) => byState(s)[0]!.key));

    // Commits: the clean run's writes plus exactly two (the sweeper's lease expiry and the
    // survivor's claim). A state committed twice would add a version.
    expect(eventsOf(done, "claimed").map((e) => (e.detail as { owner: string }).owner)).toEqual([
      CHILD_OWNER,
      SURVIVOR,
    ]);
    expect(eventsOf(done, "lease_expired")).toHaveLength(1);
    expect(done.version).toBe(baseline.version + 2);
  });
});
