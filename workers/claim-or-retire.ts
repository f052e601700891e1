/**
 * The claim, for a job whose document may be invalid. `JobStore.claim` reads and validates the job;
 * an invalid document throws `InvalidJobDocError`, and every retry of the message would throw
 * again (the poison path's read too), so the job would loop through the DLQ and hold its tenant's
 * slot forever. Here the parse failure is logged with its field paths and the job retired
 * (`failed`, `Sluice.InvalidJobDocument`, shared/jobs/invalid-job.ts): the caller reports it
 * finished, its message is deleted and its slot given back like any failed job's.
 */
import type { Logger } from "pino";
import { casRetry, type CasRound } from "../shared/jobs/cas-retry.ts";
import { InvalidJobDocError } from "../shared/jobs/job-doc.ts";
import type { ClaimResult, JobStore } from "../shared/jobs/job-store.ts";

export type ClaimOrRetired = ClaimResult | { ok: false; reason: "invalid_document"; job: null };

export async function claimOrRetire(
  claim: () => Promise<ClaimResult>,
  jobs: Pick<JobStore, "retireInvalid" | "tenantId">,
  jobId: string,
  now: () => number,
  log: Logger,
): Promise<ClaimOrRetired> {
  const done = await casRetry<ClaimOrRetired>(async (): Promise<CasRound<ClaimOrRetired>> => {
    try {
      return { done: await claim() };
    } catch (err) {
      if (!(err instanceof InvalidJobDocError)) throw err;
      const tenantId = jobs.tenantId;
      log.error({ tenantId, jobId, issues: err.issues }, "job document is invalid");
      const r = await jobs.retireInvalid(jobId, now());
      if (r.kind === "retired") {
        log.error(
          { tenantId, jobId, written: r.written },
          "invalid job marked failed (Sluice.InvalidJobDocument)",
        );
        return { done: { ok: false, reason: "invalid_document", job: null } };
      }
      if (r.kind === "not_found") return { done: { ok: false, reason: "not_found", job: null } };
      return "lost"; // Repaired or changed meanwhile: claim again.
    }
  });
  if (done !== undefined) return done;
  return { ok: false, reason: "contended", job: null };
}
