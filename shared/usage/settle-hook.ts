/**
 * The worker side of the usage accounting: the `onSettled` hook every worker of a fleet fed by a fair
 * scheduler runs after each job run. When the run (or another hand) made the job terminal, its running
 * slot is given back exactly once through the usage ledger (`ledger.ts`; a job resting on a Wait or
 * parked for review keeps it, ADR 0007). Lives in shared/ because both sides of the contract meet
 * here: the scheduler takes slots, workers give them back.
 */
import { isTerminal } from "../jobs/transitions.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";
import type { JobRestedHook } from "../fleet/job-rested.ts";
import { settleHook, UsageLedger } from "./ledger.ts";
import { UsageStore } from "./usage-store.ts";

export function createUsageSettleHook(rt: Runtime, now: () => number = Date.now): JobRestedHook {
  const log = rt.log.child({ component: "usage-settle" });
  const isTerminalJob = async (tenant: TenantId, jobId: string) => {
    const job = await rt.jobsOf(tenant).get(jobId);
    return job !== null && isTerminal(job.status);
  };
  return settleHook(
    new UsageLedger(rt.router, new UsageStore(rt.router, { now, log }), { now, log }),
    isTerminalJob,
    log,
  );
}
