/**
 * `npm run jobs -- <cancel|retry> ...`: operators' job operations (scheduler/jobs/job-commands.ts).
 *
 *   jobs cancel <tenant> <jobId> [--reason TEXT] [--by NAME]
 *   jobs retry <tenant> <jobId> --from checkpoint|start [--reason TEXT] [--by NAME]
 *
 * Exit codes: 0 done, 1 refused or failed, 2 bad arguments or configuration.
 */
import { parseArgs } from "node:util";
import { createAuditLog, osActor } from "../../shared/audit/audit-log.ts";
import { loadConfigOrExit } from "../../shared/config/exit.ts";
import { RETRY_FROM, type RetryFrom } from "../../shared/jobs/job-operations.ts";
import { createLogger } from "../../shared/log/logger.ts";
import { createRuntime, type Runtime } from "../../shared/runtime/runtime.ts";
import { TenantIdSchema, type TenantId } from "../../shared/tenancy/tenant-id.ts";
import { UsageLedger } from "../../shared/usage/ledger.ts";
import { UsageStore } from "../../shared/usage/usage-store.ts";
import { cancelJob, JobOperationRefusedError, retryJob, type JobCommandDeps } from "../jobs/job-commands.ts";

export const JOBS_USAGE = `usage:
  jobs cancel <tenant> <jobId> [--reason TEXT] [--by NAME]
  jobs retry <tenant> <jobId> --from checkpoint|start [--reason TEXT] [--by NAME]
cancel: refused on a complete, failed or cancelled job; a running job stops at its worker's next write.
retry: a failed or cancelled job gets a new attempt from its last checkpoint or from the start; it
takes a running slot of the tenant (refused while the tenant is at its cap or daily quota).
exit codes: 0 done, 1 refused or failed, 2 bad arguments`;

class UsageError extends Error {}

interface Parsed {
  action: "cancel" | "retry";
  tenant: TenantId;
  jobId: string;
  from: RetryFrom;
  note: { by?: string; reason?: string };
}

function parse(argv: readonly string[]): Parsed | "help" {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      from: { type: "string" },
      reason: { type: "string" },
      by: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  const [action, tenantRaw, jobId] = positionals;
  if (action !== "cancel" && action !== "retry")
    throw new UsageError(`unknown jobs action ${JSON.stringify(action ?? "")}`);
  const tenant = TenantIdSchema.safeParse(tenantRaw);
  if (!tenant.success) throw new UsageError(`invalid tenant ${JSON.stringify(tenantRaw ?? "")}`);
  if (!jobId) throw new UsageError(`jobs ${action} needs a job id`);
  if (positionals.length > 3) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[3])}`);
  let from: RetryFrom = "checkpoint";
  if (action === "retry") {
    if (!RETRY_FROM.includes(values.from as RetryFrom))
      throw new UsageError(`jobs retry needs --from checkpoint|start`);
    from = values.from as RetryFrom;
  } else if (values.from !== undefined) throw new UsageError(`--from is for retry only`);
  return {
    action,
    tenant: tenant.data,
    jobId,
    from,
    note: {
      ...(values.by !== undefined ? { by: values.by } : {}),
      ...(values.reason !== undefined ? { reason: values.reason } : {}),
    },
  };
}

export function jobCommandDeps(rt: Runtime, now: () => number = Date.now): JobCommandDeps {
  const db = rt.fleetDb;
  const log = rt.log.child({ component: "jobs-cli" });
  const usage = new UsageStore(rt.router, { now, log });
  return {
    db,
    jobsOf: (t) => rt.jobsOf(t),
    usage,
    ledger: new UsageLedger(rt.router, usage, { now, log }),
    sqs: rt.sqs,
    workQueueUrl: rt.queues.work,
    now,
    audit: createAuditLog(db),
  };
}

export async function jobsCommand(argv: readonly string[]): Promise<number> {
  let parsed: Parsed | "help";
  try {
    parsed = parse(argv);
  } catch (err) {
    process.stderr.write(`jobs: ${(err as Error).message}\n${JOBS_USAGE}\n`);
    return 2;
  }
  if (parsed === "help") {
    process.stdout.write(`${JOBS_USAGE}\n`);
    return 0;
  }
  const config = loadConfigOrExit();
  const log = createLogger({
    level: config.log.level === "info" ? "warn" : config.log.level,
    service: "jobs-cli",
  });
  let rt: Runtime | undefined;
  try {
    rt = await createRuntime(config, log);
    const deps = jobCommandDeps(rt);
    const p = parsed;
    const actor = await osActor();
    if (p.action === "cancel") {
      const job = await cancelJob(deps, p.tenant, p.jobId, actor, p.note);
      process.stdout.write(`cancelled job ${job._id} of tenant ${p.tenant}\n`);
    } else {
      const job = await retryJob(deps, p.tenant, p.jobId, p.from, actor, p.note);
      process.stdout.write(`retrying job ${job._id} of tenant ${p.tenant} from ${p.from}; queued\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(
      `jobs: ${err instanceof JobOperationRefusedError ? "refused: " : ""}${(err as Error).message}\n`,
    );
    return 1;
  } finally {
    await rt?.close();
  }
}
