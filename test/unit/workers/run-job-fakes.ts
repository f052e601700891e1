/**
 * runJob against in-memory fakes (no stack): a job store for one job (claim, CAS writes on
 * `version`, a switch to lose the next CAS), payloads kept inline, an `echo` step.
 */
import pino from "pino";
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
import type { TraceContext } from "../../../shared/tracing/trace-context.ts";
import type { Tracing } from "../../../shared/tracing/tracing.ts";
import type { WorkflowVersions } from "../../../shared/workflows/versions.ts";
import type { PayloadStore } from "../../../shared/payloads/payload-store.ts";
import { runJob, type JobRunnerDeps } from "../../../workers/job-runner.ts";
import { StepRegistry } from "../../../workers/steps/registry.ts";

const log = pino({ level: "silent" });
export const T = tenantId("acme");
export const JOB = "01RUNJOBCHECKPOINTS00000A";
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
export class FakeJobs {
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

export interface SetupOptions {
  /** Spans of the runs; default none. */
  tracing?: Tracing;
  /** The step throws an error with this message instead of echoing its input. */
  stepFails?: string;
}

export function setup(options: SetupOptions = {}) {
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
    if (options.stepFails !== undefined) return Promise.reject(new Error(options.stepFails));
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
      // As the worker runs it: state entries and exits (the timeline and the spans).
      history: "states",
    },
    inlineWaitMs: 1_000,
    taskConcurrency: 4,
    isReviewTask: () => false,
    tasks: { steps, shutdown: new AbortController().signal },
    extendVisibility: () => Promise.resolve(),
    keepAliveEveryMs: 60_000,
    log,
    ...(options.tracing !== undefined ? { tracing: options.tracing } : {}),
  };
  /** One run; `trace`: the context its work message carries. */
  const run = (trace?: TraceContext) => runJob(deps, jobs as unknown as JobStore, T, JOB, trace);
  return { jobs, ran, run };
}
