/**
 * The job document: one per job in the `jobs` collection, the source of truth for a job's state.
 *
 * Times are integers, milliseconds since the Unix epoch, always supplied by the caller's injected
 * clock (nothing here reads the wall clock). Every write goes through the CAS store
 * (shared/jobs/job-store.ts), which bumps `version` by exactly one per write.
 *
 * What each status implies (checked by the store's transitions, see transitions.ts):
 * - `queued`: no lease; `wakeAt` set while a Wait state rests (not claimable before then).
 * - `running`: `lease` names the worker holding it until `lease.expiresAt`.
 * - `needs_review`: no lease; `review` holds the task token and the data to decide on.
 * - `complete` | `failed` | `cancelled`: terminal; `finishedAt` set; `output` or `error`/`cause`.
 */
import { z } from "zod";
import { TenantIdSchema } from "../tenancy/tenant-id.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";
import { isTenantKey, TENANTS_ROOT } from "../tenancy/keys.ts";
import { PayloadRefSchema, PayloadSchema, refOf, type Payload } from "../payloads/payload-ref.ts";
import { TraceContextSchema, type TraceContext } from "../tracing/trace-context.ts";

export const JOB_STATUSES = ["queued", "running", "needs_review", "complete", "failed", "cancelled"] as const;
export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;

/** How many history events a job keeps; older ones are dropped as new ones are pushed. */
export const HISTORY_LIMIT = 200;

/** Job ids: ULID-like (see job-id.ts) or UUIDs; URL-, key- and queue-attribute-safe. */
export const JobIdSchema = z
  .string()
  .regex(/^[0-9A-Za-z_-]{8,64}$/, "job id must match ^[0-9A-Za-z_-]{8,64}$");
export type JobId = z.infer<typeof JobIdSchema>;

export const EpochMsSchema = z.int().nonnegative();

export { PayloadRefSchema, PayloadSchema, type Payload, type PayloadRef } from "../payloads/payload-ref.ts";

export const WorkflowRefSchema = z.strictObject({
  name: z.string().min(1).max(200),
  /** A version label or a content hash of the state machine definition. */
  version: z.string().min(1).max(200),
});

export const LeaseSchema = z.strictObject({
  owner: z.string().min(1).max(200),
  expiresAt: EpochMsSchema,
});
export type Lease = z.infer<typeof LeaseSchema>;

const ReviewShape = z.strictObject({
  taskToken: z.string().min(1),
  stateName: z.string().min(1),
  /** The Task's input, the data to decide on: inline, or stored when it is over the size limit. */
  input: PayloadSchema,
  requestedAt: EpochMsSchema,
  /**
   * The Task's `TimeoutSeconds` after `requestedAt`: undecided by then, the sweeper fails the Task
   * with `States.Timeout` (Retry and Catch apply). Absent: the review waits indefinitely.
   */
  timeoutAt: EpochMsSchema.optional(),
});

/**
 * A review written before the one payload model (ADR 0012) held its data as `data` (inline JSON,
 * `null` when stored) and `dataRef` (the reference): read as `input` (`{ s3: dataRef }` or
 * `{ inline: data }`). Anything else is left for the schema to judge.
 */
export function migrateReview(raw: unknown): unknown {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const r = raw as Record<string, unknown>;
  if ("input" in r || !("data" in r || "dataRef" in r)) return raw;
  const { data, dataRef, ...rest } = r;
  return { ...rest, input: dataRef !== undefined ? { s3: dataRef } : { inline: data ?? null } };
}

export const ReviewSchema = z.preprocess(migrateReview, ReviewShape);
export type Review = z.infer<typeof ReviewSchema>;

export const HistoryEventSchema = z.strictObject({
  at: EpochMsSchema,
  /** e.g. `claimed`, `state_entered`, `checkpoint`, `lease_expired`, `review_requested`. */
  type: z.string().min(1).max(100),
  state: z.string().optional(),
  detail: z.json().optional(),
});
export type HistoryEvent = z.infer<typeof HistoryEventSchema>;

/** The engine's serialized execution state: opaque here, validated by the ASL engine itself. */
export const ExecutionStateSchema = z.record(z.string(), z.unknown());

/** Fields a CAS patch may set (everything but identity, creation time, history and `version`). */
const mutableShape = {
  status: JobStatusSchema,
  /** `null` until the first worker initializes the execution, or while it lives at `executionRef`. */
  execution: ExecutionStateSchema.nullable(),
  /**
   * Claim check of the execution state: set (and `execution` null) when the state's JSON exceeds the
   * claim-check threshold; the worker loads it on resume. Absent on documents written before it existed.
   */
  executionRef: PayloadRefSchema.nullable().optional(),
  input: PayloadSchema,
  output: PayloadSchema.nullable(),
  /**
   * S3 keys of the large step results Sluice stored for this job (`{ "$sluiceRef": ... }` in the
   * execution state, shared/payloads/result-refs.ts): the only references a worker resolves; a reference
   * anywhere else (tenant input, step output, a reviewer's decision) is data. Written with the
   * checkpoint that first carries the reference. Absent on documents written before it existed.
   */
  resultRefs: z.array(z.string().min(1).max(1024)).max(100_000).optional(),
  /** The Step Functions error name of a failure, e.g. `States.TaskFailed`. */
  error: z.string().max(1000).nullable(),
  cause: z.string().max(32_768).nullable(),
  /** How many times the job has been claimed (each claim is one delivery attempt). */
  attempts: z.int().nonnegative(),
  /**
   * Claims since the job last made durable progress (a checkpoint, a rest on a Wait, a review, a
   * release at shutdown): incremented by every claim, reset by the first write of a run. Runs that
   * died before writing anything (a worker killed, a lost lease, an error) add up; at the limit the
   * job is failed with `Sluice.Poison` (see decide-claim.ts). Absent (0) on documents written before it existed.
   */
  attemptsWithoutProgress: z.int().nonnegative().optional(),
  lease: LeaseSchema.nullable(),
  wakeAt: EpochMsSchema.nullable(),
  review: ReviewSchema.nullable(),
  /** Higher runs first among one tenant's jobs. */
  priority: z.int().min(-1000).max(1000),
  startedAt: EpochMsSchema.nullable(),
  finishedAt: EpochMsSchema.nullable(),
  /**
   * `true` on a job the API created at submission whose intake message the scheduler has not released
   * yet (ADR 0019): it is queued behind the fair scheduler, holds no slot, and the sweeper leaves it
   * alone. The release (or an operator's retry) sets it `false`. Absent on every other job.
   */
  awaitingRelease: z.boolean().optional(),
  /**
   * `true` from the API's insert until its intake message is confirmed sent (ADR 0026): the job was
   * written first, so its message may never have left (a crash or a failed send in between). The
   * sweeper sends the message again, rebuilt from this document, for a job still awaiting release and
   * pending past `redriveAfterMs`. Absent on every other job.
   */
  intakePending: z.boolean().optional(),
  /**
   * The job's W3C trace context (ADR 0027): the span every run of the job continues, set when the job
   * is created by a process with tracing on (the API's submission or the scheduler's release), or by
   * the first write of a traced run of a job that had none. Absent: the job is not traced.
   */
  trace: TraceContextSchema.optional(),
};

export const JobPatchSchema = z.strictObject(mutableShape).partial();
/** The schema of each field a patch may set, for validating a patch field by field (the CAS store). */
export const JOB_PATCH_FIELDS: Readonly<Record<string, z.ZodType>> = mutableShape;
export type JobPatch = z.infer<typeof JobPatchSchema>;

/** The payload fields of a document or patch, by path (the execution's reference as a payload). */
export function payloadFields(
  d: Pick<JobPatch, "input" | "output" | "executionRef" | "review">,
): Record<string, Payload | null | undefined> {
  return {
    input: d.input,
    output: d.output,
    executionRef: d.executionRef ? { s3: d.executionRef } : null,
    "review.input": d.review?.input,
  };
}

/** Names the payload fields whose S3 key is not a well-formed key of the tenant (see shared/tenancy/keys.ts). */
export function foreignS3Keys(tenantId: string, fields: Partial<Record<string, Payload | null>>): string[] {
  return Object.entries(fields)
    .filter(([, p]) => {
      const ref = refOf(p);
      return ref !== null && !isTenantKey(ref.key, tenantId as TenantId);
    })
    .map(([name]) => name);
}

export const PayloadHashSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, "must be sha256:<64 hex digits>");

export const JobDocSchema = z
  .object({
    _id: JobIdSchema,
    tenantId: TenantIdSchema,
    idempotencyKey: z.string().min(1).max(512),
    workflow: WorkflowRefSchema,
    /**
     * `sha256:<hex>` of what the intake message asked for (workflow and input, see
     * `shared/messages/payload-hash.ts`), set at creation: a later message with the same idempotency
     * key and another hash is a conflict, not a duplicate. Absent on jobs created before it existed.
     */
    payloadHash: PayloadHashSchema.optional(),
    ...mutableShape,
    createdAt: EpochMsSchema,
    updatedAt: EpochMsSchema,
    /** The most recent `HISTORY_LIMIT` events, oldest first; appended in batches with each write. */
    history: z.array(HistoryEventSchema).max(HISTORY_LIMIT),
    version: z.int().nonnegative(),
  })
  .superRefine((doc, ctx) => {
    for (const field of foreignS3Keys(doc.tenantId, payloadFields(doc))) {
      ctx.addIssue({
        code: "custom",
        path: [...field.split("."), ...(field === "executionRef" ? [] : ["s3"]), "key"],
        message: `S3 key must be a key of tenant ${doc.tenantId} (under ${TENANTS_ROOT}/${doc.tenantId}/)`,
      });
    }
  });

export type JobDoc = z.infer<typeof JobDocSchema>;

/** Raised when a stored job document fails validation; `issues` name the field paths. */
export class InvalidJobDocError extends Error {
  readonly code = "invalid_job_doc" as const;
  readonly retryable = false as const;
  constructor(
    readonly jobId: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super(`job ${jobId} is invalid: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`);
    this.name = "InvalidJobDocError";
  }
}

/** Validates a document read from MongoDB, throwing `InvalidJobDocError` with field paths. */
export function parseJobDoc(raw: unknown): JobDoc {
  const result = JobDocSchema.safeParse(raw);
  if (result.success) return result.data;
  const id = (raw as { _id?: unknown } | null)?._id;
  throw new InvalidJobDocError(
    String(id),
    result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
  );
}

export interface NewJobParams {
  jobId: JobId;
  tenantId: TenantId;
  idempotencyKey: string;
  workflow: { name: string; version: string };
  input: Payload;
  priority?: number;
  payloadHash?: string;
  /** Created by the API before its intake message is released (see `awaitingRelease`). */
  awaitingRelease?: boolean;
  /** Created by the API before its intake message is sent (see `intakePending`). */
  intakePending?: boolean;
  /** The trace the job's runs continue (see `trace`). */
  trace?: TraceContext;
}

/** A fresh `queued` job at version 0, validated. */
export function newQueuedJob(params: NewJobParams, now: number): JobDoc {
  return JobDocSchema.parse(queuedJobDoc(params, now));
}

/**
 * A fresh `queued` job at version 0, NOT validated: for callers that hand it straight to
 * `JobStore.create`, which validates every document it inserts (one parse instead of two).
 */
export function queuedJobDoc(params: NewJobParams, now: number): JobDoc {
  return {
    _id: params.jobId,
    tenantId: params.tenantId,
    idempotencyKey: params.idempotencyKey,
    workflow: params.workflow,
    ...(params.payloadHash !== undefined ? { payloadHash: params.payloadHash } : {}),
    ...(params.awaitingRelease === true ? { awaitingRelease: true } : {}),
    ...(params.intakePending === true ? { intakePending: true } : {}),
    ...(params.trace !== undefined ? { trace: params.trace } : {}),
    status: "queued",
    execution: null,
    executionRef: null,
    input: params.input,
    output: null,
    resultRefs: [],
    error: null,
    cause: null,
    attempts: 0,
    lease: null,
    wakeAt: null,
    review: null,
    priority: params.priority ?? 0,
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    finishedAt: null,
    history: [],
    version: 0,
  };
}
