/**
 * `POST /v1/jobs`: a submission goes through the SQS intake path, not around it (ADR 0019). The
 * request becomes an intake message — the same message an upstream would send, validated by the same
 * `parseIntakeMessage` — carrying the job's id chosen here (`keyedJobId`: this tenant's and this
 * idempotency key's). Admission (suspended, `maxQueued`) and the workflow check are the scheduler's
 * own functions. Then, in this order:
 *
 * 1. the job of this key, if there is one, answers (same payload hash: that job; another: 409);
 * 2. the intake message is sent to the tenant's intake queue;
 * 3. the job document is created (`queued`, `awaitingRelease`) so it can be read at once and a second
 *    request with the same key finds it. The scheduler's release adopts it (or, if the release came
 *    first, created it from the message with the same id; this create then finds it).
 *
 * A crash before 2 leaves nothing; between 2 and 3 the message creates the job when it is released;
 * after 3 the client's retry with the same key gets the same job. A message the scheduler rejects
 * later (tenant suspended meanwhile, ...) fails the job with the reason
 * (scheduler/intake/submitted-job-rejection.ts).
 */
import { newQueuedJob, type JobDoc, type Payload } from "../../shared/jobs/job-doc.ts";
import { keyedJobId } from "../../shared/jobs/job-id.ts";
import {
  parseIntakeMessage,
  PRIORITY_RANK,
  type IntakeMessage,
  type Priority,
} from "../../shared/messages/intake-message.ts";
import { payloadHash } from "../../shared/messages/payload-hash.ts";
import { isTenantKey, uploadKey } from "../../shared/tenancy/keys.ts";
import { admit } from "../../scheduler/quota/admission.ts";
import type { JobsApiDeps, JobsPrincipal } from "./jobs-deps.ts";
import { ApiError } from "../errors.ts";

/** A name no upload ever gets (uploads are named by UUIDs). */
const NO_SUCH_UPLOAD = "-";

export interface SubmitRequest {
  readonly workflow: string;
  readonly input?: unknown;
  readonly inputRef?: { readonly key: string };
  readonly priority?: Priority;
}

export interface SubmitResult {
  /** False when the idempotency key already named this job (same payload). */
  readonly created: boolean;
  readonly job: JobDoc;
}

/** Longest `Idempotency-Key` (the intake message's `idempotencyKey` limit). */
export const MAX_IDEMPOTENCY_KEY = 200;

export async function submitJob(
  deps: JobsApiDeps,
  principal: JobsPrincipal,
  request: SubmitRequest,
  idempotencyKey: string | undefined,
): Promise<SubmitResult> {
  const tenant = principal.tenantId;
  if (idempotencyKey === undefined || idempotencyKey.length === 0)
    throw new ApiError(400, "idempotency_key_required", "the Idempotency-Key header is required");
  if (idempotencyKey.length > MAX_IDEMPOTENCY_KEY)
    throw new ApiError(
      400,
      "invalid_idempotency_key",
      `the Idempotency-Key header is at most ${MAX_IDEMPOTENCY_KEY} characters`,
    );
  const jobId = keyedJobId(tenant, idempotencyKey, deps.now());
  const intake = validIntake(tenant, {
    tenantId: tenant,
    workflow: request.workflow,
    idempotencyKey,
    ...(request.input !== undefined ? { input: request.input } : {}),
    ...(request.inputRef !== undefined ? { inputRef: { key: request.inputRef.key } } : {}),
    ...(request.priority !== undefined ? { priority: request.priority } : {}),
    jobId,
  });
  const { queueUrl } = await deps.intakeQueue(tenant);
  await admission(deps, tenant, queueUrl);
  const workflow = await deps.workflowVersion(intake.workflow);
  if (!workflow.ok) {
    const unknown = workflow.reason.startsWith("unknown workflow");
    throw new ApiError(422, unknown ? "unknown_workflow" : "invalid_workflow", workflow.reason, {
      workflow: intake.workflow,
    });
  }
  if (intake.inputRef !== undefined) await checkUpload(deps, principal, intake.inputRef.key);

  const hash = payloadHash(intake);
  const jobs = deps.jobsOf(tenant);
  const existing = await jobs.findByIdempotencyKey(idempotencyKey);
  if (existing !== null) return { created: false, job: sameOrConflict(existing, hash) };

  await deps.sqs.send(queueUrl, { body: JSON.stringify(intake) });
  const { created, job } = await jobs.create(
    newQueuedJob(
      {
        jobId,
        tenantId: tenant,
        idempotencyKey,
        workflow: { name: intake.workflow, version: workflow.version },
        input: inputPayload(intake),
        priority: PRIORITY_RANK[intake.priority ?? "normal"],
        payloadHash: hash,
        awaitingRelease: true,
      },
      deps.now(),
    ),
  );
  // Found: the release created it from the message first (same id), or a concurrent request with
  // the same key won; either way the key's job answers.
  return { created: created || job._id === jobId, job: sameOrConflict(job, hash) };
}

/** The intake message as `parseIntakeMessage` judges it; a refusal is the caller's bad request. */
function validIntake(tenant: string, message: Record<string, unknown>): IntakeMessage {
  const parsed = parseIntakeMessage(JSON.stringify(message), tenant);
  if (parsed.ok) return parsed.message;
  const reason = parsed.reason;
  if (reason.startsWith("input too large")) throw new ApiError(413, "input_too_large", reason);
  throw new ApiError(400, "invalid_request", reason);
}

/** Suspended → 403; at `maxQueued` (the intake queue's waiting messages) → 429. */
async function admission(deps: JobsApiDeps, tenant: JobsPrincipal["tenantId"], queueUrl: string) {
  const quota = await deps.quota(tenant);
  const queued = quota?.maxQueued !== undefined ? (await deps.sqs.approximateDepth(queueUrl)).visible : 0;
  const verdict = admit(quota, queued);
  if (verdict.ok) return;
  if (verdict.code === "queue-full")
    throw new ApiError(429, "queue_full", verdict.message, { maxQueued: quota?.maxQueued });
  if (verdict.code === "suspended") throw new ApiError(403, "tenant_suspended", verdict.message);
  throw new ApiError(403, "tenant_unknown", "this tenant has no valid quota document");
}

/**
 * An `inputRef` must name an object this tenant uploaded. Another tenant's key is answered exactly
 * like a missing object: same status, code and message, and no S3 request is made for it.
 */
async function checkUpload(deps: JobsApiDeps, principal: JobsPrincipal, key: string): Promise<void> {
  const missing = new ApiError(422, "input_not_found", "inputRef names no uploaded object");
  // Another tenant's key takes the same path as a missing one: a HEAD (of a key that never exists
  // under this tenant's prefix), then the same refusal.
  const own = isTenantKey(key, principal.tenantId) ? key : uploadKey(principal.tenantId, NO_SUCH_UPLOAD);
  const info = await deps.blobs.head(principal.tenantId, own);
  if (info === undefined || own !== key) throw missing;
  if (info.size > deps.settings.uploadMaxBytes)
    throw new ApiError(
      413,
      "input_too_large",
      `the uploaded object is over ${deps.settings.uploadMaxBytes} bytes`,
    );
}

function sameOrConflict(job: JobDoc, hash: string): JobDoc {
  if (job.payloadHash === undefined || job.payloadHash === hash) return job;
  throw new ApiError(
    409,
    "idempotency_conflict",
    "this Idempotency-Key was used for another workflow or input",
    { jobId: job._id },
  );
}

function inputPayload(intake: IntakeMessage): Payload {
  if (intake.inputRef) return { s3: { key: intake.inputRef.key, bytes: 0 } };
  return { inline: (intake.input ?? {}) as never };
}
