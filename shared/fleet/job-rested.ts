/**
 * The typed "job rested" event: how one run of a job in a worker ended. Workers produce it (the job
 * runner), the usage accounting consumes it (`slotAction` in shared/usage/ledger.ts gives the job's
 * running slot back only on the outcomes that can mean "terminal"). Both sides share this union, so a
 * renamed or added outcome fails to compile on the accounting side instead of silently leaking slots.
 */

/** Why a claim refused the job (shared/jobs/job-store.ts `ClaimResult`). */
import type { TenantId } from "../tenancy/tenant-id.ts";

export type SkipReason = "not_found" | "leased" | "not_due" | "not_claimable" | "contended";

export type JobRunOutcome =
  /** The run made the job terminal. */
  | { kind: "finished"; status: "complete" | "failed" }
  /** Resting on a Wait until `wakeAt` (epoch ms); the job keeps its slot. */
  | { kind: "resting"; wakeAt: number }
  /** Parked in `needs_review` at `stateName`; the job keeps its slot. */
  | { kind: "review"; stateName: string }
  /** The lease was given back (shutdown) before a resting point; the job is still in flight. */
  | { kind: "released"; reason: string }
  /** Not run: the claim refused it. */
  | { kind: "skipped"; reason: SkipReason }
  /** Another writer (worker, sweeper, an operator) changed the job; this run stopped without writing. */
  | { kind: "lost"; reason: string };

export interface RestedJob {
  readonly tenantId: TenantId;
  readonly jobId: string;
}

/** What a worker calls after each message's run (`WorkerDeps.onSettled`). Never throws. */
export type JobRestedHook = (job: RestedJob, outcome: JobRunOutcome) => Promise<void>;
