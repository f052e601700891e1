import type { Logger } from "pino";
import type { ReceivedMessage, SqsPort } from "../../shared/aws/sqs-port.ts";
import { attrValue } from "../../shared/aws/sqs-port.ts";
import type { JobStore } from "../../shared/jobs/job-store.ts";
import { newQueuedJob, type JobDoc, type Payload } from "../../shared/jobs/job-doc.ts";
import { newJobId } from "../../shared/jobs/job-id.ts";
import {
  parseIntakeMessage,
  PRIORITY_RANK,
  type IntakeMessage,
} from "../../shared/messages/intake-message.ts";
import { sendWorkMessage, type WorkMessage } from "../../shared/messages/work-message.ts";
import { assertKeyBelongsToTenant } from "../../shared/tenancy/keys.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { payloadHash } from "../../shared/messages/payload-hash.ts";
import type { Rejecter } from "./reject.ts";
import type { WorkflowCheck } from "../../shared/workflows/versions.ts";
import type { Tracing } from "../../shared/tracing/tracing.ts";
import { ReleaseTrace } from "./release-trace.ts";

export interface TenantQueues {
  queueUrl: string;
  queueName: string;
  dlqUrl: string;
}

export interface ReleaseDeps {
  sqs: SqsPort;
  workQueueUrl: string;
  jobs: JobStore;
  /** Moves a message to the intake DLQ with its reason (`createRejecter`). */
  reject: Rejecter;
  /**
   * The version a new job of the workflow is created on (recorded in `workflow_versions` first),
   * or why the workflow is refused (unknown, or its file is invalid).
   */
  workflowVersion: (name: string) => Promise<WorkflowCheck>;
  now: () => number;
  log: Logger;
  /** The `intake` and `release` spans (release-trace.ts); default none. */
  tracing?: Tracing;
}

export type ReleaseOutcome =
  /**
   * The job exists and its work message is sent. `intakeDeleted: false`: the intake message's delete
   * failed afterwards; it will be redelivered and found a duplicate (or a repeat release), but this
   * release happened and its slot is the job's.
   */
  | { kind: "released"; jobId: string; created: boolean; intakeDeleted: boolean }
  | { kind: "duplicate"; jobId: string; status: string }
  | { kind: "rejected"; reason: string };

/**
 * Releases one intake message: validates it, creates its job document (idempotent on the tenant's
 * idempotency key), puts a work message on the work queue, and only then deletes the intake message.
 * A crash anywhere in between is safe: the redelivered message finds the same job and, if it is still
 * `queued`, sends its work message again (workers claim with compare-and-set, so a duplicate is a no-op).
 * A message that can never become a job goes to the intake DLQ with its reason; so does a message
 * reusing an idempotency key with another payload (`idempotency_conflict`; the job keeps the hash of
 * the payload it was created with, see `shared/messages/payload-hash.ts`). The same payload again is
 * a duplicate: a no-op.
 */
export async function releaseMessage(
  deps: ReleaseDeps,
  tenant: TenantId,
  queues: TenantQueues,
  message: ReceivedMessage,
): Promise<ReleaseOutcome> {
  if (deps.tracing?.enabled !== true) return release(deps, tenant, queues, message, undefined);
  const spans = new ReleaseTrace(deps.tracing, tenant, message, deps.now());
  try {
    const outcome = await release(deps, tenant, queues, message, spans);
    spans.ended(outcome);
    return outcome;
  } catch (err) {
    spans.failed(err);
    throw err;
  }
}

async function release(
  deps: ReleaseDeps,
  tenant: TenantId,
  queues: TenantQueues,
  message: ReceivedMessage,
  spans: ReleaseTrace | undefined,
): Promise<ReleaseOutcome> {
  const reject = async (reason: string): Promise<ReleaseOutcome> => {
    deps.log.warn({ tenantId: tenant, messageId: message.messageId, reason }, "intake message rejected");
    await deps.reject(tenant, queues, message, reason);
    return { kind: "rejected", reason };
  };

  const parsed = parseIntakeMessage(message.body, tenant);
  if (!parsed.ok) return reject(parsed.reason);
  const intake = parsed.message;
  const workflow = await deps.workflowVersion(intake.workflow);
  if (!workflow.ok) return reject(workflow.reason);
  const version = workflow.version;
  const input = inputPayload(intake, tenant);
  if (!input.ok) return reject(input.reason);

  const hash = payloadHash(intake);
  // The job's trace: the release span's context (a job the API created keeps the one it has).
  const trace = spans?.trace;
  const createdOrFound = await deps.jobs.create(
    newQueuedJob(
      {
        // An id the submitter chose (the API, ADR 0019) is one parseIntakeMessage checked belongs to
        // this tenant and idempotency key.
        jobId: intake.jobId ?? newJobId(deps.now()),
        tenantId: tenant,
        idempotencyKey: intake.idempotencyKey,
        workflow: { name: intake.workflow, version },
        input: input.payload,
        priority: PRIORITY_RANK[intake.priority ?? priorityAttr(message) ?? "normal"],
        payloadHash: hash,
        ...(trace !== undefined ? { trace } : {}),
      },
      deps.now(),
    ),
  );
  const { created } = createdOrFound;
  let job = createdOrFound.job;
  spans?.job(job._id, intake.workflow);
  if (!created && job.payloadHash !== undefined && job.payloadHash !== hash) {
    return reject(
      `idempotency_conflict: idempotencyKey ${JSON.stringify(intake.idempotencyKey)} is job ${job._id}, ` +
        `created with a different workflow or input`,
    );
  }
  if (!created && job.awaitingRelease === true) job = await adopt(deps, job);
  if (!created && job.status !== "queued") {
    await deps.sqs.delete(queues.queueUrl, message.receiptHandle);
    deps.log.info(
      { tenantId: tenant, jobId: job._id, status: job.status },
      "duplicate intake message ignored",
    );
    return { kind: "duplicate", jobId: job._id, status: job.status };
  }
  const work: WorkMessage = { tenantId: tenant, jobId: job._id };
  await sendWorkMessage(deps.sqs, deps.workQueueUrl, work, { trace: trace ?? job.trace });
  let intakeDeleted = true;
  try {
    await deps.sqs.delete(queues.queueUrl, message.receiptHandle);
  } catch (err) {
    // Released all the same: the caller keeps the job's slot; the redelivered message is a no-op.
    intakeDeleted = false;
    deps.log.warn(
      { err, tenantId: tenant, jobId: job._id, messageId: message.messageId },
      "intake message not deleted after its job was released; its redelivery will be a duplicate",
    );
  }
  deps.log.info({ tenantId: tenant, jobId: job._id, workflow: intake.workflow, created }, "job released");
  return { kind: "released", jobId: job._id, created, intakeDeleted };
}

/**
 * The job the API created at submission (`awaitingRelease`) becomes released: the flag is cleared
 * with a CAS before its work message is sent, so the sweeper and the usage counts take it on from
 * here. A lost CAS (an operator cancelled it meanwhile) returns the job as it now is.
 */
async function adopt(deps: ReleaseDeps, job: JobDoc): Promise<JobDoc> {
  const r = await deps.jobs.markReleased(job._id, job.version, deps.now());
  if (r.ok) return { ...job, awaitingRelease: false, version: r.version };
  if (r.current === null) throw new Error(`job ${job._id} vanished while being released`);
  return r.current.awaitingRelease === true ? adopt(deps, r.current) : r.current;
}

function inputPayload(
  intake: IntakeMessage,
  tenant: TenantId,
): { ok: true; payload: Payload } | { ok: false; reason: string } {
  if (intake.inputRef) {
    try {
      assertKeyBelongsToTenant(intake.inputRef.key, tenant);
    } catch (err) {
      return { ok: false, reason: `wrong tenant: inputRef ${(err as Error).message}` };
    }
    return { ok: true, payload: { s3: { key: intake.inputRef.key, bytes: 0 } } };
  }
  return {
    ok: true,
    payload: { inline: (intake.input ?? {}) as Payload extends { inline: infer I } ? I : never },
  };
}

function priorityAttr(message: ReceivedMessage): "high" | "normal" | "low" | undefined {
  const v = attrValue(message.attributes, "priority");
  return v === "high" || v === "normal" || v === "low" ? v : undefined;
}
