/**
 * Large data for running jobs (claim check, invariant 6), on top of `ClaimCheck`:
 *
 * - **Execution state.** The engine needs real values for its data flow, so results stay inline in
 *   the execution state; when the state's JSON exceeds the threshold the *whole state* is written to
 *   S3 (`tenants/<t>/jobs/<job>/execution/<n>-<rand>.json`) and the document keeps `executionRef`
 *   (with `execution: null`). Every write uses a new key, so a writer that loses its CAS never
 *   overwrites the object the winner's document points to; the superseded object is deleted after
 *   the CAS that replaced it.
 * - **Step results.** The engine refuses a task result over 256 KiB (`States.DataLimitExceeded`, as
 *   Step Functions does). A result above the threshold is stored in S3 and the engine gets a
 *   reference `{ "$sluiceRef": { key, bytes } }` instead; a reference reaching a later step's input,
 *   the review data or the job's output is replaced by the stored value before use. JSONPath that
 *   looks *inside* such a result (ResultSelector, a Choice on one of its fields) sees the reference.
 * - **Only Sluice's own references resolve.** Tenant data can hold anything, a `$sluiceRef` object
 *   too (in the job's input, a step's output, a reviewer's decision). So a job keeps the keys of
 *   the results stored for it (`JobRefs`, the job document's `resultRefs`, written with the
 *   checkpoint that first carries each reference), and `resolve` replaces only references to those
 *   keys; any other `$sluiceRef` is data and stays as it is, its key never read. A document written
 *   before `resultRefs` existed trusts the keys under its own `jobs/<job>/results/` prefix, which
 *   only Sluice writes.
 */
import { serializeExecution, type ExecutionState } from "../shared/asl/index.ts";
import type { BlobStore } from "../shared/aws/s3.ts";
import type { JobDoc, JobPatch } from "../shared/jobs/job-doc.ts";
import { assertKeyBelongsToTenant, jobPrefix } from "../shared/tenancy/keys.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";

export const REF_KEY = "$sluiceRef";

export interface S3Ref {
  key: string;
  bytes: number;
}

export interface JobData {
  readonly thresholdBytes: number;
  /** The job's execution state (loaded from S3 when it lives there), or null before it started. */
  loadExecution(
    tenant: TenantId,
    job: Pick<JobDoc, "execution" | "executionRef">,
  ): Promise<ExecutionState | null>;
  /** The patch fields that store `exec`: inline, or in S3 with `executionRef` when it is large. */
  executionPatch(
    tenant: TenantId,
    jobId: string,
    exec: ExecutionState,
  ): Promise<Required<Pick<JobPatch, "execution" | "executionRef">>>;
  /** Deletes a superseded execution object (best effort; call after the CAS that replaced it). */
  discard(tenant: TenantId, ref: S3Ref | null | undefined, keep: S3Ref | null | undefined): Promise<void>;
  /**
   * A step result as the engine should see it: the value, or a reference when it is large (its key
   * added to `refs`, which the caller persists with the checkpoint that carries the result).
   */
  storeResult(tenant: TenantId, refs: JobRefs, name: string, value: unknown): Promise<unknown>;
  /** `value` with every reference in `refs` replaced by the stored JSON; any other is left as data. */
  resolve(tenant: TenantId, value: unknown, refs: JobRefs): Promise<unknown>;
  /** The JSON stored at `ref`, a key the job document itself names (e.g. `review.dataRef`). */
  load(tenant: TenantId, ref: S3Ref): Promise<unknown>;
}

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

export function isRef(value: unknown): value is { [REF_KEY]: S3Ref } {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== REF_KEY) return false;
  const ref = (value as Record<string, unknown>)[REF_KEY] as Partial<S3Ref> | null;
  return typeof ref?.key === "string" && typeof ref.bytes === "number";
}

function hasRef(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (isRef(value)) return true;
  return Array.isArray(value) ? value.some(hasRef) : Object.values(value).some(hasRef);
}

/** Whether `json` is at most `limit` bytes in UTF-8 (no encoding pass when its length settles it). */
function fitsUnder(json: string, limit: number): boolean {
  if (json.length * 3 <= limit) return true; // a UTF-16 code unit is at most 3 UTF-8 bytes
  if (json.length > limit) return false;
  return Buffer.byteLength(json, "utf8") <= limit;
}

export function createJobData(blobs: BlobStore, thresholdBytes: number, uuid: () => string): JobData {
  let seq = 0;
  const put = async (tenant: TenantId, parts: [string, ...string[]], json: string): Promise<S3Ref> => {
    const { key } = await blobs.put(tenant, parts, json, { contentType: "application/json" });
    return { key, bytes: Buffer.byteLength(json, "utf8") };
  };
  const get = (tenant: TenantId, ref: S3Ref) =>
    blobs.getJson(tenant, assertKeyBelongsToTenant(ref.key, tenant));

  const resolve = async (tenant: TenantId, value: unknown, refs: JobRefs): Promise<unknown> => {
    if (!hasRef(value)) return value;
    if (isRef(value)) return refs.trusts(value[REF_KEY].key) ? get(tenant, value[REF_KEY]) : value;
    if (Array.isArray(value)) return Promise.all(value.map((v) => resolve(tenant, v, refs)));
    const entries = await Promise.all(
      Object.entries(value as Record<string, unknown>).map(
        async ([k, v]) => [k, await resolve(tenant, v, refs)] as const,
      ),
    );
    return Object.fromEntries(entries);
  };

  return {
    thresholdBytes,
    async loadExecution(tenant, job) {
      if (job.executionRef) return (await get(tenant, job.executionRef)) as ExecutionState;
      return (job.execution as ExecutionState | null) ?? null;
    },
    async executionPatch(tenant, jobId, exec) {
      // Built incrementally from the texts of the parts shared with the previous checkpoint.
      const json = serializeExecution(exec);
      if (fitsUnder(json, thresholdBytes)) {
        return { execution: exec as unknown as Record<string, unknown>, executionRef: null };
      }
      const name = `${++seq}-${uuid()}.json`;
      return { execution: null, executionRef: await put(tenant, ["jobs", jobId, "execution", name], json) };
    },
    async discard(tenant, ref, keep) {
      if (!ref || ref.key === keep?.key) return;
      await blobs.delete(tenant, assertKeyBelongsToTenant(ref.key, tenant)).catch(() => undefined);
    },
    async storeResult(tenant, refs, name, value) {
      const json = JSON.stringify(value ?? null);
      if (fitsUnder(json, thresholdBytes)) return value;
      const safe = name.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 100) || "result";
      const file = `${safe}-${uuid().slice(0, 8)}.json`;
      const ref = await put(tenant, ["jobs", refs.jobId, "results", file], json);
      refs.add(ref.key);
      return { [REF_KEY]: ref };
    },
    resolve,
    load: get,
  };
}
