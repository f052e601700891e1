import type { Logger } from "pino";
import type { ExecutionState, HistoryEvent as EngineEvent } from "../../shared/asl/index.ts";
import { HISTORY_LIMIT, type HistoryEvent, type Review } from "../../shared/jobs/job-doc.ts";
import type { CasResult, JobStore, RunEnd, RunFence, RunFields } from "../../shared/jobs/job-store.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { PayloadRef } from "../../shared/payloads/payload-ref.ts";
import type { PayloadStore } from "../../shared/payloads/payload-store.ts";
import type { JobRefs } from "../../shared/payloads/result-refs.ts";
import { decideWrite, type NextEffect } from "./checkpoint-policy.ts";
import type { MetricsSink } from "../../shared/metrics/sluice-metrics.ts";
import type { RunTrace } from "./run-trace.ts";

export interface CheckpointerDeps {
  /** The job store's named run writes (each a compare-and-set fenced by version and lease). */
  store: Pick<JobStore, "checkpoint" | "rest" | "release" | "park" | "finish">;
  /** Stores an execution state inline or by reference, and deletes a superseded object. */
  payloads: Pick<PayloadStore, "executionPatch" | "discard">;
  tenantId: TenantId;
  jobId: string;
  /** The lease owner (a rest or a release gives the lease back). */
  owner: string;
  /** The references to stored step results the job may resolve; new keys go out with the next write. */
  refs: JobRefs;
  now: () => number;
  log: () => Logger;
  /** Checkpoint write latency; default none. */
  metrics?: MetricsSink;
  /** The run's spans: each write becomes a `checkpoint` event; a trace the job lacked is stored. */
  trace?: Pick<RunTrace, "checkpoint" | "takeAdopted">;
}

/** Where the claim left the job: the version it wrote and the S3 object of its execution, if any. */
export interface ClaimedAt {
  version: number;
  executionRef: PayloadRef | null;
}

/**
 * The progress of one job run and the writes that make it durable: holds what was not written yet
 * (transitions, result references, the execution state the document does not hold) and the last
 * written version, and asks `decideWrite` (pure) before each visible effect whether to write now or
 * coalesce. After a lost compare-and-set it writes nothing more.
 */
export class Checkpointer {
  readonly #deps: CheckpointerDeps;
  #version: number;
  #execRef: PayloadRef | null;
  /** The execution state the job document holds now (null: none yet). */
  #persisted: ExecutionState | null = null;
  #unwritten = 0;
  #reproducible = false;
  /** Whether this run wrote anything yet: its first write resets `attemptsWithoutProgress`. */
  #progressed = false;
  #lost = false;
  /** `state_entered` / `state_exited` events not written yet (they go with the next write). */
  #trail: HistoryEvent[] = [];

  constructor(deps: CheckpointerDeps, claimed: ClaimedAt) {
    this.#deps = deps;
    this.#version = claimed.version;
    this.#execRef = claimed.executionRef;
  }

  /** The version of the last write (the claim's until this run writes). */
  get version(): number {
    return this.#version;
  }

  /** A write of this run lost its compare-and-set. */
  get lost(): boolean {
    return this.#lost;
  }

  /**
   * The run is a new execution's first stretch, reproducible from the job document (no write since
   * the claim, no task result fed): it draws on the derived clock and its tasks need no checkpoint.
   */
  get reproducible(): boolean {
    return this.#reproducible;
  }

  /** The run resumes from the execution state the document holds. */
  resumed(saved: ExecutionState): void {
    this.#persisted = saved;
  }

  /**
   * The run starts a new execution; `reproducible`: its first stretch is a pure function of the job
   * document (see workers/job-runner.ts), so its first tasks may be dispatched without a checkpoint.
   */
  startedNew(reproducible: boolean): void {
    this.#reproducible = reproducible;
  }

  /**
   * Records the engine's state entries and exits (its `…StateEntered` / `…StateExited` history
   * events) for the job's timeline; they are written with the run's next write, never on their own.
   */
  noteEvents(events: readonly EngineEvent[]): void {
    for (const e of events) {
      if (e.stateName === undefined) continue;
      if (e.type.endsWith("StateEntered"))
        this.#trail.push({ at: e.timestamp, type: "state_entered", state: e.stateName });
      else if (e.type.endsWith("StateExited"))
        this.#trail.push({ at: e.timestamp, type: "state_exited", state: e.stateName });
    }
    // A long pure stretch keeps only what the job's history can hold anyway.
    if (this.#trail.length > HISTORY_LIMIT) this.#trail.splice(0, this.#trail.length - HISTORY_LIMIT);
  }

  /** A pure transition was made (counted, not written). */
  transitioned(): void {
    this.#unwritten++;
  }

  /** Task results were fed back: the run is no longer reproducible from the document. */
  tasksFed(): void {
    this.#reproducible = false;
  }

  /** After pure transitions: writes only when too many went unwritten. False: the job was lost. */
  afterTransitions(exec: ExecutionState): Promise<boolean> {
    return this.#maybe("transition", exec);
  }

  /** Before Tasks are dispatched. False: the job was lost. */
  beforeDispatch(exec: ExecutionState): Promise<boolean> {
    return this.#maybe("dispatch", exec);
  }

  /** Before sleeping in-process on a Wait. False: the job was lost. */
  beforeSleep(exec: ExecutionState): Promise<boolean> {
    return this.#maybe("sleep", exec);
  }

  /** The end (complete or failed); `exec` undefined when no execution was started. */
  end(exec: ExecutionState | undefined, end: RunEnd): Promise<boolean> {
    const { store, jobId, now } = this.#deps;
    return this.#write("end", exec, (fields, fence) => store.finish(jobId, fence, fields, end, now()));
  }

  /** Parks the job for review. */
  park(exec: ExecutionState, review: Review): Promise<boolean> {
    const { store, jobId, now } = this.#deps;
    return this.#write("park", exec, (fields, fence) => store.park(jobId, fence, fields, review, now()));
  }

  /** Rests the job on a Wait until `until`, giving the lease back. */
  rest(exec: ExecutionState, until: number): Promise<boolean> {
    const { store, jobId, now } = this.#deps;
    return this.#write("rest", exec, (fields, fence) => store.rest(jobId, fence, fields, until, now()));
  }

  /** Gives the lease back with the progress made (shutdown). */
  release(exec: ExecutionState): Promise<boolean> {
    const { store, jobId, now } = this.#deps;
    return this.#write("release", exec, (fields, fence) => store.release(jobId, fence, fields, now()));
  }

  /** Gives the lease back without writing progress (the run failed with an error); false if lost. */
  async abandon(): Promise<boolean> {
    const { store, jobId, owner, now } = this.#deps;
    return (await store.release(jobId, { owner, version: this.#version }, {}, now())).ok;
  }

  #maybe(next: NextEffect, exec: ExecutionState): Promise<boolean> {
    const { store, jobId, now } = this.#deps;
    return this.#write(next, exec, (fields, fence) => store.checkpoint(jobId, fence, fields, now()));
  }

  /**
   * One named store write carrying `exec` (inline or claim-checked) unless the document holds it already,
   * and the keys of results stored since the last write; cleans up the superseded S3 object.
   * Writes nothing when the policy says to coalesce (true) or after a lost CAS (false).
   */
  async #write(
    next: NextEffect,
    exec: ExecutionState | undefined,
    write: (fields: RunFields, fence: RunFence) => Promise<CasResult>,
  ): Promise<boolean> {
    const stateChanged = exec !== undefined && exec !== this.#persisted;
    const decision = decideWrite(
      { unwritten: this.#unwritten, stateChanged, reproducible: this.#reproducible, lost: this.#lost },
      next,
    );
    if (decision !== "write") return decision === "skip";
    const { payloads, tenantId, jobId, refs } = this.#deps;
    const adopted = this.#deps.trace?.takeAdopted();
    const fields: RunFields = {
      ...(stateChanged ? await payloads.executionPatch(tenantId, jobId, exec) : {}),
      ...refs.patch(),
      ...(adopted !== undefined ? { trace: adopted } : {}),
    };
    const started = performance.now();
    const trail = this.#trail;
    this.#trail = [];
    const r = await write(this.#progressed ? fields : { ...fields, attemptsWithoutProgress: 0 }, {
      owner: this.#deps.owner,
      version: this.#version,
      ...(trail.length > 0 ? { trail } : {}),
    });
    this.#deps.metrics?.checkpoint((performance.now() - started) / 1000, r.ok);
    this.#deps.trace?.checkpoint(next, r.ok, r.ok ? r.version : this.#version);
    const written = fields.executionRef ?? null;
    if (!r.ok) {
      this.#lost = true;
      this.#deps
        .log()
        .warn(
          { expected: this.#version, current: r.current?.version, status: r.current?.status },
          "lost the job to another writer",
        );
      await payloads.discard(tenantId, written, null);
      return false;
    }
    this.#version = r.version;
    refs.written();
    this.#progressed = true;
    this.#unwritten = 0;
    this.#reproducible = false;
    if (stateChanged) {
      await payloads.discard(tenantId, this.#execRef, written);
      this.#execRef = written;
      this.#persisted = exec;
    }
    return true;
  }
}
