/**
 * The sweeper's fifth pass (ADR 0026): a job the API recorded before sending its intake message and
 * whose send was never confirmed (`intakePending`, still queued and awaiting release, older than
 * `redriveAfterMs`) gets its intake message sent again, rebuilt from the document
 * (`intakeMessageOfJob`: same keyed id, same payload hash), then confirmed. The order is send, then
 * confirm: a crash in between sends it once more at a later tick, and a message sent twice (this one
 * beside the API's own, or two sweepers') is released once — the release adopts the job by its key
 * and takes the second message as a duplicate. A job whose message cannot be rebuilt (a document
 * edited by hand) is failed with `Sluice.IntakeRejected` instead of being found again every tick.
 */
import { traceAttributes } from "../shared/tracing/trace-context.ts";
import type { Logger } from "pino";
import type { SqsPort } from "../shared/aws/sqs-port.ts";
import type { JobStore } from "../shared/jobs/job-store.ts";
import type { SweepCandidate } from "../shared/jobs/sweeper-queries.ts";
import { intakeMessageOfJob } from "../shared/messages/intake-of-job.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";

/** The error of a job whose intake message was refused (as scheduler/intake/submitted-job-rejection.ts). */
const INTAKE_REJECTED = "Sluice.IntakeRejected";

export interface IntakeResendDeps {
  readonly sqs: Pick<SqsPort, "send">;
  readonly jobsOf: (tenant: TenantId) => JobStore;
  /** The tenant's intake queue URL. */
  readonly intakeQueueUrl: (tenant: TenantId) => Promise<string>;
  readonly log: Logger;
}

/** True when the message was sent again; false when the job moved on (nothing sent). */
export async function resendIntake(deps: IntakeResendDeps, c: SweepCandidate, now: number): Promise<boolean> {
  const store = deps.jobsOf(c.tenantId);
  const job = await store.get(c.jobId);
  if (
    job === null ||
    job.version !== c.version ||
    job.status !== "queued" ||
    job.awaitingRelease !== true ||
    job.intakePending !== true
  )
    return false;
  const message = intakeMessageOfJob(job);
  if (message === undefined) {
    deps.log.error(
      { tenantId: c.tenantId, jobId: c.jobId },
      "a recorded job's intake message cannot be rebuilt from its document; failing the job",
    );
    const cause = "its intake message cannot be rebuilt from the job document (payload hash or input)";
    await store.failSubmitted(job._id, job.version, INTAKE_REJECTED, cause, now);
    return false;
  }
  await deps.sqs.send(await deps.intakeQueueUrl(c.tenantId), {
    body: JSON.stringify(message),
    ...(job.trace !== undefined ? { attributes: traceAttributes(job.trace) } : {}),
  });
  await store.confirmIntakeSent([job._id]);
  return true;
}
