/**
 * A rejected intake message that carries a `jobId` (one the API submitted, ADR 0019) still ends as a
 * job record: the job the API created at submission, waiting for this release (`awaitingRelease`),
 * is failed with `Sluice.IntakeRejected` and the rejection's reason as its cause, so a caller polling
 * `GET /v1/jobs/<id>` sees why (tenant suspended, queue full, workflow refused...). The API writes
 * the job before it sends the message (ADR 0026); a keyed message whose job is not there (sent by an
 * API before that order, or by an upstream naming its own keyed id) gets the failed job created here
 * with that id.
 *
 * It acts only on a message that parses for the queue's tenant (so `jobId` is the keyed id of this
 * tenant and key: `isKeyedJobId`), through that tenant's job store, on a job with the same key and
 * payload hash that has not been released: another tenant's job, a released job, or a job submitted
 * with another body is never touched. It runs after the message is in the DLQ; if it fails, the DLQ
 * copy still holds the message and the failure is logged.
 */
import type { Logger } from "pino";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { newQueuedJob } from "../../shared/jobs/job-doc.ts";
import type { JobStore } from "../../shared/jobs/job-store.ts";
import { parseIntakeMessage } from "../../shared/messages/intake-message.ts";
import { payloadHash } from "../../shared/messages/payload-hash.ts";
import { isTenantKey } from "../../shared/tenancy/keys.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { Rejecter } from "./reject.ts";

export const INTAKE_REJECTED_ERROR = "Sluice.IntakeRejected";

export interface SubmittedJobRejectionDeps {
  readonly jobsOf: (tenant: TenantId) => JobStore;
  readonly now: () => number;
  readonly log: Logger;
}

/** `reject`, then the submitted job's failure (see the module doc). */
export function failingSubmittedJobs(reject: Rejecter, deps: SubmittedJobRejectionDeps): Rejecter {
  return async (tenant, from, message, reason) => {
    await reject(tenant, from, message, reason);
    try {
      await failSubmittedJob(deps, tenant, message.body, reason);
    } catch (err) {
      const e = err as Error;
      deps.log.warn(
        { tenantId: tenant, messageId: message.messageId, err: { name: e.name, message: e.message } },
        "rejected intake message's submitted job could not be failed",
      );
    }
  };
}

/** What happened to the submitted job named by a rejected message's body. */
export type SubmittedJobFate = "none" | "failed" | "created-failed" | "untouched";

export async function failSubmittedJob(
  deps: SubmittedJobRejectionDeps,
  tenant: TenantId,
  body: string,
  reason: string,
): Promise<SubmittedJobFate> {
  const parsed = parseIntakeMessage(body, tenant);
  if (!parsed.ok || parsed.message.jobId === undefined) return "none";
  const intake = parsed.message;
  // An inputRef of another tenant can never be a job of this one (the API refuses it at submission).
  if (intake.inputRef !== undefined && !isTenantKey(intake.inputRef.key, tenant)) return "none";
  const jobId = intake.jobId as string;
  const hash = payloadHash(intake);
  const jobs = deps.jobsOf(tenant);
  const cause = `intake message rejected: ${reason}`.slice(0, 32_000);
  const now = deps.now();
  const failedDoc: JobDoc = {
    ...newQueuedJob(
      {
        jobId,
        tenantId: tenant,
        idempotencyKey: intake.idempotencyKey,
        workflow: { name: intake.workflow, version: "rejected" },
        input: intake.inputRef
          ? { s3: { key: intake.inputRef.key, bytes: 0 } }
          : { inline: (intake.input ?? {}) as never },
        payloadHash: hash,
      },
      now,
    ),
    status: "failed",
    error: INTAKE_REJECTED_ERROR,
    cause,
    finishedAt: now,
  };
  const { created, job } = await jobs.create(failedDoc);
  if (created) return "created-failed";
  if (!isSameSubmission(job, jobId, intake.idempotencyKey, hash)) return "untouched";
  const r = await jobs.failSubmitted(job._id, job.version, INTAKE_REJECTED_ERROR, cause, now);
  return r.ok ? "failed" : "untouched";
}

function isSameSubmission(job: JobDoc, jobId: string, key: string, hash: string): boolean {
  return (
    job._id === jobId &&
    job.idempotencyKey === key &&
    job.payloadHash === hash &&
    job.status === "queued" &&
    job.awaitingRelease === true
  );
}
