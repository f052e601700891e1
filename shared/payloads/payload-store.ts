/**
 * The one payload store (ADR 0012, invariant 6): every payload Sluice keeps for a job is inline up
 * to one size limit (`thresholdBytes`, `SLUICE_CLAIM_CHECK_THRESHOLD_BYTES`) and stored in S3 under
 * the job's prefix above it, named by a `PayloadRef` (payload-ref.ts). Reads go through the blob
 * store, which refuses objects over `SLUICE_CLAIM_CHECK_MAX_READ_BYTES` (`ObjectTooLargeError`).
 * Keeps every job document far below MongoDB's 16 MiB and every SQS message below 256 KiB (messages
 * carry only job ids).
 *
 * - **Document payloads** (`store` / `load`): the job's input and output, a review's data —
 *   `{ inline }` or `{ s3: ref }` at `tenants/<t>/jobs/<job>/<name>.json`.
 * - **Execution state** (`executionPatch` / `loadExecution` / `discard`): the engine needs real
 *   values for its data flow, so results stay inline in the state; when the state's JSON exceeds
 *   the limit the *whole state* is stored (`jobs/<job>/execution/<n>-<rand>.json`) and the document
 *   keeps `executionRef` (with `execution: null`). Every write uses a new key, so a writer that loses
 *   its CAS never overwrites the object the winner's document points to; the superseded object is
 *   deleted after the CAS that replaced it.
 * - **Step results** (`storeResult` / `resolve`): the engine refuses a task result over 256 KiB
 *   (`States.DataLimitExceeded`, as Step Functions does). A result above the limit is stored
 *   (`jobs/<job>/results/...`) and the engine gets the marker `{ "$sluiceRef": ref }` instead; a
 *   marker reaching a later step's input, the review data or the job's output is replaced by the
 *   stored value before use, if the job trusts its key (`JobRefs`, result-refs.ts); any other
 *   marker is data. JSONPath that looks *inside* such a result sees the marker.
 */
import { serializeExecution, type ExecutionState } from "../asl/index.ts";
import type { BlobStore } from "../aws/s3.ts";
import type { JobDoc, JobPatch } from "../jobs/job-doc.ts";
import { assertKeyBelongsToTenant } from "../tenancy/keys.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";
import { isRefMarker, refMarker, REF_KEY, type Payload, type PayloadRef } from "./payload-ref.ts";
import type { JobRefs } from "./result-refs.ts";

export interface PayloadStore {
  /** The one size limit: JSON up to this many UTF-8 bytes stays inline. */
  readonly thresholdBytes: number;
  /** A document payload (input, output, review data): inline, or stored at `jobs/<job>/<name>.json`. */
  store(tenant: TenantId, jobId: string, name: string, value: unknown): Promise<Payload>;
  /** The value of a document payload. */
  load(tenant: TenantId, payload: Payload): Promise<unknown>;
  /** The JSON stored at `ref`, a reference the job document itself holds. */
  loadRef(tenant: TenantId, ref: PayloadRef): Promise<unknown>;
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
  /** Deletes a superseded stored object (best effort; call after the CAS that replaced it). */
  discard(
    tenant: TenantId,
    ref: PayloadRef | null | undefined,
    keep: PayloadRef | null | undefined,
  ): Promise<void>;
  /**
   * A step result as the engine should see it: the value, or a `$sluiceRef` marker when it is large
   * (its key added to `refs`, which the caller persists with the checkpoint that carries the result).
   */
  storeResult(tenant: TenantId, refs: JobRefs, name: string, value: unknown): Promise<unknown>;
  /** `value` with every marker whose key `refs` trusts replaced by the stored JSON; any other is data. */
  resolve(tenant: TenantId, value: unknown, refs: JobRefs): Promise<unknown>;
}

function hasMarker(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (isRefMarker(value)) return true;
  return Array.isArray(value) ? value.some(hasMarker) : Object.values(value).some(hasMarker);
}

/** Whether `json` is at most `limit` bytes in UTF-8 (no encoding pass when its length settles it). */
export function fitsUnder(json: string, limit: number): boolean {
  if (json.length * 3 <= limit) return true; // a UTF-16 code unit is at most 3 UTF-8 bytes
  if (json.length > limit) return false;
  return Buffer.byteLength(json, "utf8") <= limit;
}

const safeName = (name: string, fallback: string) =>
  name.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 100) || fallback;

export function createPayloadStore(
  blobs: BlobStore,
  thresholdBytes: number,
  uuid: () => string,
): PayloadStore {
  let seq = 0;
  const put = async (tenant: TenantId, parts: [string, ...string[]], json: string): Promise<PayloadRef> => {
    const { key } = await blobs.put(tenant, parts, json, { contentType: "application/json" });
    return { key, bytes: Buffer.byteLength(json, "utf8") };
  };
  const loadRef = (tenant: TenantId, ref: PayloadRef) =>
    blobs.getJson(tenant, assertKeyBelongsToTenant(ref.key, tenant));

  const resolve = async (tenant: TenantId, value: unknown, refs: JobRefs): Promise<unknown> => {
    if (!hasMarker(value)) return value;
    if (isRefMarker(value)) return refs.trusts(value[REF_KEY].key) ? loadRef(tenant, value[REF_KEY]) : value;
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
    async store(tenant, jobId, name, value) {
      const json = JSON.stringify(value ?? null);
      if (fitsUnder(json, thresholdBytes)) return { inline: JSON.parse(json) as never };
      return { s3: await put(tenant, ["jobs", jobId, `${name}.json`], json) };
    },
    load(tenant, payload) {
      return "inline" in payload ? Promise.resolve(payload.inline) : loadRef(tenant, payload.s3);
    },
    loadRef,
    async loadExecution(tenant, job) {
      if (job.executionRef) return (await loadRef(tenant, job.executionRef)) as ExecutionState;
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
      const file = `${safeName(name, "result")}-${uuid().slice(0, 8)}.json`;
      const ref = await put(tenant, ["jobs", refs.jobId, "results", file], json);
      refs.add(ref.key);
      return refMarker(ref);
    },
    resolve,
  };
}
