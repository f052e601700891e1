/**
 * The intake message of a job the API created before sending it (ADR 0026), rebuilt from the job
 * document: the same tenant, workflow, idempotency key, input (inline, or the `inputRef` of its S3
 * key), priority and keyed job id the API would have sent, so the release adopts the job and the
 * payload hash matches. `undefined` when the document cannot give back that message: it carries no
 * payload hash or another one (the rebuilt message would then be a conflict at release, dead-lettered
 * as `idempotency_conflict`), or its input is not what the API writes.
 */
import type { JobDoc } from "../jobs/job-doc.ts";
import { PRIORITY_RANK, type IntakeMessage, type Priority } from "./intake-message.ts";
import { payloadHash } from "./payload-hash.ts";

const PRIORITY_OF_RANK = new Map<number, Priority>(
  Object.entries(PRIORITY_RANK).map(([name, rank]) => [rank, name as Priority]),
);

export function intakeMessageOfJob(
  job: Pick<
    JobDoc,
    "_id" | "tenantId" | "idempotencyKey" | "workflow" | "input" | "priority" | "payloadHash"
  >,
): IntakeMessage | undefined {
  const priority = PRIORITY_OF_RANK.get(job.priority);
  const base = {
    tenantId: job.tenantId,
    workflow: job.workflow.name,
    idempotencyKey: job.idempotencyKey,
    ...(priority !== undefined ? { priority } : {}),
    jobId: job._id,
  };
  let message: IntakeMessage;
  if ("inline" in job.input) message = { ...base, input: job.input.inline };
  else if ("s3" in job.input) message = { ...base, inputRef: { key: job.input.s3.key } };
  else return undefined;
  return job.payloadHash !== undefined && payloadHash(message) === job.payloadHash ? message : undefined;
}
