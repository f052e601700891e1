/**
 * `sluice review <list|approve|reject> ...`: the operator's side of human
 * review (the HTTP API comes later).
 *
 *   review list <tenant> [--limit N]
 *   review approve <tenant> <jobId> [--output JSON] [--token T] [--reviewer NAME]
 *   review reject <tenant> <jobId> [--error NAME] [--cause TEXT] [--token T] [--reviewer NAME]
 *
 * Exit codes: 0 done, 1 refused or failed, 2 bad arguments or configuration.
 */
import { parseArgs } from "node:util";
import { osActor } from "../../shared/audit/audit-log.ts";
import { loadConfigOrExit } from "../../shared/config/exit.ts";
import { createLogger } from "../../shared/log/logger.ts";
import { createRuntime, STATEMACHINES_DIR, type Runtime } from "../../shared/runtime/runtime.ts";
import { TenantIdSchema, type TenantId } from "../../shared/tenancy/tenant-id.ts";
import { loadWorkflowCatalog } from "../../shared/workflows/catalog.ts";
import { createReviews, ReviewRefusedError, type Reviews } from "../review.ts";
import { defaultSteps } from "../steps/index.ts";

export const REVIEW_USAGE = `usage:
  review list <tenant> [--limit N]
  review approve <tenant> <jobId> [--output JSON] [--token T] [--reviewer NAME]
  review reject <tenant> <jobId> [--error NAME] [--cause TEXT] [--token T] [--reviewer NAME]
reject defaults: --error Review.Rejected --cause "rejected by a reviewer"`;

class UsageError extends Error {}

interface Parsed {
  action: "list" | "approve" | "reject";
  tenant: TenantId;
  jobId?: string;
  limit: number;
  output: unknown;
  error: string;
  cause: string;
  token?: string;
  reviewer?: string;
}

function parse(argv: readonly string[]): Parsed {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      limit: { type: "string" },
      output: { type: "string" },
      error: { type: "string" },
      cause: { type: "string" },
      token: { type: "string" },
      reviewer: { type: "string" },
    },
  });
  const [action, tenantRaw, jobId] = positionals;
  if (action !== "list" && action !== "approve" && action !== "reject") {
    throw new UsageError(`unknown review action ${JSON.stringify(action ?? "")}`);
  }
  const tenant = TenantIdSchema.safeParse(tenantRaw);
  if (!tenant.success) throw new UsageError(`invalid tenant ${JSON.stringify(tenantRaw ?? "")}`);
  if (action !== "list" && !jobId) throw new UsageError(`review ${action} needs a job id`);
  let output: unknown = {};
  if (values.output !== undefined) {
    try {
      output = JSON.parse(values.output);
    } catch (err) {
      throw new UsageError(`--output is not JSON: ${(err as Error).message}`);
    }
  }
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit must be 1-1000`);
  return {
    action,
    tenant: tenant.data,
    ...(jobId !== undefined ? { jobId } : {}),
    limit,
    output,
    error: values.error ?? "Review.Rejected",
    cause: values.cause ?? "rejected by a reviewer",
    ...(values.token !== undefined ? { token: values.token } : {}),
    ...(values.reviewer !== undefined ? { reviewer: values.reviewer } : {}),
  };
}

async function run(reviews: Reviews, p: Parsed): Promise<void> {
  const opts = {
    actor: await osActor(),
    ...(p.token !== undefined ? { taskToken: p.token } : {}),
    ...(p.reviewer !== undefined ? { reviewer: p.reviewer } : {}),
  };
  if (p.action === "list") {
    const jobs = await reviews.list(p.tenant, p.limit);
    for (const job of jobs) {
      const data = await reviews.data(p.tenant, job);
      process.stdout.write(
        `${JSON.stringify({
          jobId: job._id,
          workflow: job.workflow.name,
          state: job.review?.stateName,
          requestedAt: job.review ? new Date(job.review.requestedAt).toISOString() : null,
          taskToken: job.review?.taskToken,
          data,
        })}\n`,
      );
    }
    process.stderr.write(`${jobs.length} job(s) waiting for review\n`);
    return;
  }
  const jobId = p.jobId as string;
  const r =
    p.action === "approve"
      ? await reviews.approve(p.tenant, jobId, p.output, opts)
      : await reviews.reject(p.tenant, jobId, p.error, p.cause, opts);
  process.stdout.write(
    `${p.action === "approve" ? "approved" : "rejected"} ${r.stateName} of job ${jobId}; re-enqueued\n`,
  );
}

export interface ReviewCommandOptions {
  /** Where the current workflow files are; default `statemachines/`. */
  workflowsDir?: string;
}

export async function reviewCommand(
  argv: readonly string[],
  opts: ReviewCommandOptions = {},
): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    process.stderr.write(`review: ${(err as Error).message}\n${REVIEW_USAGE}\n`);
    return 2;
  }
  const config = loadConfigOrExit();
  const log = createLogger({
    level: config.log.level === "info" ? "warn" : config.log.level,
    service: "review-cli",
  });
  let rt: Runtime | undefined;
  try {
    rt = await createRuntime(config, log);
    const steps = defaultSteps();
    // Invalid files are left out (a job parked on an older version is decided on that version,
    // read from workflow_versions), so one bad file never stops review.
    const catalog = await loadWorkflowCatalog(opts.workflowsDir ?? STATEMACHINES_DIR, {
      hasStep: (r) => steps.resolve(r) !== undefined,
    });
    await run(createReviews(rt, catalog), parsed);
    return 0;
  } catch (err) {
    process.stderr.write(
      `review: ${err instanceof ReviewRefusedError ? "refused: " : ""}${(err as Error).message}\n`,
    );
    return 1;
  } finally {
    await rt?.close();
  }
}
