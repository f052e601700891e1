/**
 * runJob's checkpoint policy, end to end against in-memory fakes (no stack): the writes a job makes,
 * and that a lost compare-and-set stops the run without another write or step.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { compileMachine, type CompiledMachine } from "../../../shared/asl/index.ts";
import { newQueuedJob, type JobDoc, type JobPatch, type Review } from "../../../shared/jobs/job-doc.ts";
import type {
  CasResult,
  ClaimResult,
  JobStore,
  RunEnd,
  RunFence,
  RunFields,
} from "../../../shared/jobs/job-store.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import type { WorkflowVersions } from "../../../shared/workflows/versions.ts";
import type { PayloadStore } from "../../../shared/payloads/payload-store.ts";
import { runJob, type JobRunnerDeps } from "../../../workers/job-runner.ts";
import { StepRegistry } from "../../../workers/steps/registry.ts";

const log = pino({ level: "silent" });
const T = tenantId("acme");
const JOB = "01RUNJOBCHECKPOINTS00000A";
const STEP = "arn:aws:states:us-east-1:000000000000:activity:echo";
/** Pass → Task → Pass → Task → Succeed. */
const DEFINITION = {
  StartAt: "P1",
  States: {
    P1: { Type: "Pass", Next: "T1" },
    T1: { Type: "Task", Resource: STEP, Next: "P2" },
    P2: { Type: "Pass", Next: "T2" },
    T2: { Type: "Task", Resource: STEP, End: true },
  },
};

/** An in-memory job store for one job: claim, CAS writes on `version`, a switch to lose the next CAS. */
class FakeJobs {
  doc: JobDoc;
  writes: { op: string; expected: number; patch: JobPatch }[] = [];
  loseAtWrite = Infinity;
  readonly tenantId = T;

  constructor(doc: JobDoc) {
    this.doc = doc;
  }

  claim(_id: string, owner: string, leaseMs: number, now: number): Promise<ClaimResult> {
    this.doc = {
      ...this.doc,
      status: "running",
      lease: { owner, expiresAt: now + leaseMs },
      attempts: this.doc.attempts + 1,
      startedAt: this.doc.startedAt ?? now,
      version: this.doc.version + 1,
    } as JobDoc;
    return Promise.resolve({ ok: true, job: this.doc, how: "fresh", previousOwner: null });
  }

  checkpoint(_id: string, fence: RunFence, fields: RunFields): Promise<CasResult> {
    return this.#cas("checkpoint", fence, fields);
  }

  finish(_id: string, fence: RunFence, fields: RunFields, end: RunEnd): Promise<CasResult> {
    return this.#cas("finish", fence, { ...fields, ...end });
  }

  park(_id: string, fence: RunFence, fields: RunFields, review: Review): Promise<CasResult> {
    return this.#cas("park", fence, { ...fields, status: "needs_review", review });
  }

  rest(_id: string, fence: RunFence, fields: RunFields, wakeAt: number): Promise<CasResult> {
    return this.#cas("rest", fence, { ...fields, wakeAt, status: "queued", lease: null });
  }

  release(_id: string, fence: RunFence, fields: RunFields): Promise<CasResult> {
    return this.#cas("release", fence, { ...fields, status: "queued", lease: null });
  }

  extendLease() {
    return Promise.resolve({ ok: true });
  }

  #cas(op: string, fence: RunFence, patch: JobPatch): Promise<CasResult> {
    const expected = fence.version;
    if (fence.owner !== this.doc.lease?.owner)
      throw new Error(`write by ${fence.owner}, not the lease owner`);
    this.writes.push({ op, expected, patch });
    if (this.writes.length >= this.loseAtWrite || expected !== this.doc.version) {
      // Another writer got there first.
      this.doc = { ...this.doc, version: this.doc.version + 1 };
      return Promise.resolve({ ok: false, current: this.doc });
    }
    this.doc = { ...this.doc, ...patch, version: this.doc.version + 1 } as JobDoc;
    return Promise.resolve({ ok: true, version: this.doc.version });
  }
}

function setup() {
  const machine: CompiledMachine = compileMachine(DEFINITION);
  const doc = newQueuedJob(
    {
      jobId: JOB,
      tenantId: T,
      idempotencyKey: "k",
      workflow: { name: "wf", version: "v1" },
      input: { inline: { n: 1 } },
    },
    1_000,
  );
  const jobs = new FakeJobs(doc);
  const ran: string[] = [];
  const steps = new StepRegistry().register("echo", (input, ctx) => {
    ran.push(ctx.stateName);
    return Promise.resolve(input);
  });
  let clock = 1_000;
  const payloads: PayloadStore = {
    thresholdBytes: Infinity,
    loadExecution: (_t: unknown, job: JobDoc) => Promise.resolve(job.execution ?? null),
    executionPatch: (_t: unknown, _j: unknown, exec: unknown) =>
      Promise.resolve({ execution: exec, executionRef: null }),
    discard: () => Promise.resolve(),
    storeResult: (_t: unknown, _refs: unknown, _name: unknown, value: unknown) => Promise.resolve(value),
    resolve: (_t: unknown, value: unknown) => Promise.resolve(value),
    load: (_t: unknown, p: { inline: unknown }) => Promise.resolve(p.inline),
    store: (_t: unknown, _j: unknown, _n: unknown, value: unknown) => Promise.resolve({ inline: value }),
    loadRef: () => Promise.reject(new Error("no S3 here")),
  } as unknown as PayloadStore;
  const deps: JobRunnerDeps = {
    owner: "w1",
    leaseMs: 60_000,
    workflows: {
      machine: () => Promise.resolve(machine),
      machineToStart: () => Promise.resolve(machine),
    } as unknown as WorkflowVersions,
    maxAttempts: 5,
    payloads,
    engine: {
      now: () => (clock += 10),
      random: () => 0.5,
      uuid: () => "00000000-0000-4000-8000-000000000000",
    },
    inlineWaitMs: 1_000,
    taskConcurrency: 4,
    isReviewTask: () => false,
    tasks: { steps, shutdown: new AbortController().signal },
    extendVisibility: () => Promise.resolve(),
    keepAliveEveryMs: 60_000,
    log,
  };
  const run = () => runJob(deps, jobs as unknown as JobStore, T, JOB);
  return { jobs, ran, run };
}

describe("runJob's checkpoints (fake store)", () => {
  it("Pass → Task → Pass → Task → Succeed: one checkpoint before the second Task, one at the end", async () => {
    const { jobs, ran, run } = setup();
    expect(await run()).toEqual({ kind: "finished", status: "complete" });
    expect(ran).toEqual(["T1", "T2"]);
    // The first Task is dispatched without a write (a new execution's reproducible first stretch).
    expect(jobs.writes.map((w) => [w.op, w.expected, w.patch.status])).toEqual([
      ["checkpoint", 1, undefined],
      ["finish", 2, "complete"],
    ]);
    expect(jobs.writes[0]?.patch.attemptsWithoutProgress).toBe(0);
    expect(jobs.doc.output).toEqual({ inline: { n: 1 } });
  });

  it("a lost CAS before the second Task stops the run: no step, no further write", async () => {
    const { jobs, ran, run } = setup();
    jobs.loseAtWrite = 1;
    expect(await run()).toEqual({ kind: "lost", reason: "conflict" });
    expect(ran).toEqual(["T1"]);
    expect(jobs.writes).toHaveLength(1);
  });

  it("a resumed job dispatches its in-flight task again without writing the state it already holds", async () => {
    const first = setup();
    first.jobs.loseAtWrite = 2; // the completion is lost: the document holds the checkpoint before T2
    expect(await first.run()).toEqual({ kind: "lost", reason: "conflict" });
    const { jobs, ran, run } = setup();
    jobs.doc = { ...first.jobs.doc, status: "queued", lease: null };
    expect(await run()).toEqual({ kind: "finished", status: "complete" });
    expect(ran).toEqual(["T2"]);
    expect(jobs.writes.map((w) => w.patch.status)).toEqual(["complete"]);
  });
});
