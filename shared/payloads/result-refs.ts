/**
 * The trust model of in-band references (ADR 0012): tenant data can hold anything, a
 * `{ "$sluiceRef": ... }` object too (in the job's input, a step's output, a reviewer's decision).
 * So a job keeps the keys of the results Sluice stored for it (the job document's `resultRefs`,
 * written with the checkpoint that first carries each reference), and only references to those keys
 * resolve; any other marker is data and its key is never read. A document written before
 * `resultRefs` existed trusts the keys under its own `jobs/<job>/results/` prefix, which only Sluice
 * writes.
 */
import type { JobDoc, JobPatch } from "../jobs/job-doc.ts";
import { jobPrefix } from "../tenancy/keys.ts";

/**
 * The references a job may resolve: the keys of the results Sluice stored for it. Built from the job
 * document; `patch()` gives the field to write with the next checkpoint when a key was added.
 */
export class JobRefs {
  readonly jobId: string;
  readonly #keys: Set<string>;
  /** Set for a document without `resultRefs` (written before they existed): trust by prefix. */
  readonly #legacyPrefix: string | undefined;
  #unwritten = false;

  private constructor(jobId: string, keys: readonly string[], legacyPrefix: string | undefined) {
    this.jobId = jobId;
    this.#keys = new Set(keys);
    this.#legacyPrefix = legacyPrefix;
  }

  static of(job: Pick<JobDoc, "_id" | "tenantId" | "resultRefs">): JobRefs {
    return job.resultRefs === undefined
      ? new JobRefs(job._id, [], `${jobPrefix(job.tenantId, job._id)}results/`)
      : new JobRefs(job._id, job.resultRefs, undefined);
  }

  trusts(key: string): boolean {
    return this.#keys.has(key) || (this.#legacyPrefix !== undefined && key.startsWith(this.#legacyPrefix));
  }

  add(key: string): void {
    if (this.trusts(key)) return;
    this.#keys.add(key);
    this.#unwritten = true;
  }

  /** `{ resultRefs }` when a key was added since the last `written()`, else `{}` (legacy: always `{}`). */
  patch(): Pick<JobPatch, "resultRefs"> {
    return this.#unwritten && this.#legacyPrefix === undefined ? { resultRefs: [...this.#keys] } : {};
  }

  /** The patch's keys are stored (its CAS won). */
  written(): void {
    this.#unwritten = false;
  }
}
