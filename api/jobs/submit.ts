/**
 * `POST /v1/jobs`: a submission goes through the SQS intake path, not around it (ADR 0019). The
 * request becomes an intake message — the same message an upstream would send, judged by the same
 * checks as `parseIntakeMessage` — carrying the job's id chosen here (`keyedJobId`: this tenant's and
 * this idempotency key's). Admission (suspended, `maxQueued`) and the workflow check are the
 * scheduler's own functions. Then one insert and one send (ADR 0026):
 *
 * 1. the job document is inserted (`queued`, `awaitingRelease`, `intakePending`); the unique index on
 *    the key decides: a job already there with another payload hash is a 409 and nothing is sent; with
 *    the same hash it answers (and, if its intake message was never confirmed sent, sends it);
 * 2. the intake message goes to the tenant's intake queue; the scheduler's release adopts the job;
 * 3. the send is confirmed in a batch, off the request path (`intakeSent`), clearing `intakePending`.
 *
 * A crash before 1 leaves nothing; between 1 and 3 the job waits with `intakePending`: the client's
 * retry with the same key sends the message, else the sweeper does once it is `redriveAfterMs` old
 * (rebuilt from the document, workers/sweeper-intake.ts). A message sent twice is released once. A
 * failed send answers 503 `unavailable`: the job is recorded, a retry with the same key sends it.
 * A message the scheduler rejects later (tenant suspended meanwhile, ...) fails the job with the
 * reason (scheduler/intake/submitted-job-rejection.ts).
 */
import type { Span } from "@opentelemetry/api";
import { traceAttributes, type TraceContext } from "../../shared/tracing/trace-context.ts";
import { ATTR, failSpan, spanTrace, startSpan } from "../../shared/tracing/tracing.ts";
import { queuedJobDoc, type JobDoc, type Payload } from "../../shared/jobs/job-doc.ts";
import { keyedJobId } from "../../shared/jobs/job-id.ts";
import {
  checkIntakeMessage,
  PRIORITY_RANK,
  type IntakeMessage,
  type Priority,
} from "../../shared/messages/intake-message.ts";
import { intakeMessageOfJob } from "../../shared/messages/intake-of-job.ts";
import { payloadHash } from "../../shared/messages/payload-hash.ts";
import { isTenantKey } from "../../shared/tenancy/keys.ts";
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
  /** The caller's trace context (the request's `traceparent` header), continued by the `submit` span. */
  trace?: TraceContext,
): Promise<SubmitResult> {
  if (deps.tracing?.enabled !== true) return submit(deps, principal, request, idempotencyKey, undefined);
  const span = startSpan(deps.tracing, "submit", trace, {
    [ATTR.tenant]: principal.tenantId,
    [ATTR.workflow]: request.workflow,
  });
  try {
    const result = await submit(deps, principal, request, idempotencyKey, span);
    span.setAttribute(ATTR.job, result.job._id);
    span.setAttribute(ATTR.outcome, result.created ? "created" : "found");
    return result;
  } catch (err) {
    failSpan(
      span,
      err instanceof ApiError ? err.code : "Error",
      err instanceof Error ? err.message : String(err),
    );
    throw err;
  } finally {
    span.end();
  }
}

async function submit(
  deps: JobsApiDeps,
  principal: JobsPrincipal,
  request: SubmitRequest,
  idempotencyKey: string | undefined,
  span: Span | undefined,
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
  const now = deps.now();
  const { created, job } = await deps.jobsOf(tenant).create(
    queuedJobDoc(
      {
        jobId,
        tenantId: tenant,
        idempotencyKey,
        workflow: { name: intake.workflow, version: workflow.version },
        input: inputPayload(intake),
        priority: PRIORITY_RANK[intake.priority ?? "normal"],
        payloadHash: hash,
        awaitingRelease: true,
        intakePending: true,
        // The job's trace: the submit span's context (the intake message carries it too).
        ...(span !== undefined ? { trace: spanTrace(span) } : {}),
      },
      now,
    ),
  );
  if (created) {
    await sendIntake(deps, queueUrl, job, JSON.stringify(intake));
    return { created: true, job };
  }
  // The key's job: another body is a conflict (nothing sent); the same body answers with it.
  const found = sameOrConflict(job, hash);
  if (found.status === "queued" && found.awaitingRelease === true && found.intakePending === true) {
    // Its message may never have left (a crash or a failed send after its insert): send it again,
    // rebuilt from the document. If it did leave, the release takes the second as a duplicate.
    const message = intakeMessageOfJob(found);
    if (message !== undefined) await sendIntake(deps, queueUrl, found, JSON.stringify(message));
  }
  return { created: false, job: found };
}

/** Sends a recorded job's intake message; its confirmation is batched (`intakeSent`). */
async function sendIntake(deps: JobsApiDeps, queueUrl: string, job: JobDoc, body: string): Promise<void> {
  try {
    // The job's trace context goes with its message: the scheduler's spans continue it.
    await deps.sqs.send(queueUrl, {
      body,
      ...(job.trace !== undefined ? { attributes: traceAttributes(job.trace) } : {}),
    });
  } catch (err) {
    const e = err as Error & { code?: unknown };
    deps.log.warn(
      { tenantId: job.tenantId, jobId: job._id, err: { name: e.name, code: e.code, message: e.message } },
      "intake message not sent after its job was recorded; a retry with the key or the sweeper sends it",
    );
    throw new ApiError(
      503,
      "unavailable",
      "the job was recorded but could not be queued; retry with the same Idempotency-Key",
      { jobId: job._id },
      { "retry-after": "1" },
    );
  }
  deps.intakeSent(job.tenantId, job._id);
}

/** The intake message as `parseIntakeMessage` would judge it; a refusal is the caller's bad request. */
function validIntake(tenant: string, message: Record<string, unknown>): IntakeMessage {
  const parsed = checkIntakeMessage(message, tenant);
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
  const own = isTenantKey(key, principal.tenantId);
  const info = await deps.blobs.head(principal.tenantId, own ? key : ["uploads", NO_SUCH_UPLOAD]);
  if (info === undefined || !own) throw missing;
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
