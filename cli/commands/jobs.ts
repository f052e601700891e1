/**
 * `sluice jobs ...`: one tenant's jobs. Reads go through the tenant-scoped job store (`rt.jobsOf`);
 * cancel and retry are the store's operator operations (scheduler/cli/jobs.ts); submit sends an
 * intake message like any upstream system.
 */
import type { Command } from "commander";
import { JOB_STATUSES, type JobDoc } from "../../shared/jobs/job-doc.ts";
import { formatTable } from "../../scheduler/cli/table.ts";
import { TenantIdSchema, type TenantId } from "../../shared/tenancy/tenant-id.ts";
import { action, EXIT, group, positiveInt, printJson, UsageError, type CliContext } from "../context.ts";
import { withRuntime } from "../runtime.ts";
import {
  JOB_LIST_HEADERS,
  jobJson,
  jobListCells,
  jobLogLines,
  jobTimeline,
  TIMELINE_HEADERS,
  timelineCells,
  jobTraceId,
  traceLine,
} from "../jobs/view.ts";

async function jobsCommand(argv: string[]): Promise<number> {
  const { jobsCommand: run } = await import("../../scheduler/cli/jobs.ts");
  return run(argv);
}

const note = (o: { reason?: string; by?: string }): string[] => [
  ...(o.reason === undefined ? [] : ["--reason", o.reason]),
  ...(o.by === undefined ? [] : ["--by", o.by]),
];

export function tenantArg(raw: string): TenantId {
  const t = TenantIdSchema.safeParse(raw);
  if (!t.success) throw new UsageError(`invalid tenant id ${JSON.stringify(raw)}`);
  return t.data;
}

/** `--since 2026-12-01T00:00Z`, `--since 15m`, `--since 2h`, `--since 7d`. */
export function parseSince(raw: string, now: number): number {
  const rel = /^(\d+)(s|m|h|d)$/.exec(raw);
  if (rel) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as "s" | "m" | "h" | "d"];
    return now - Number(rel[1]) * unit;
  }
  const at = Date.parse(raw);
  if (Number.isNaN(at))
    throw new UsageError(`--since ${JSON.stringify(raw)}: give an ISO time or 15m, 2h, 7d`);
  return at;
}

/** Loads one job through the tenant's store; another tenant's job reads as missing (exit 1). */
async function withJob(
  ctx: CliContext,
  tenantRaw: string,
  jobId: string,
  fn: (job: JobDoc) => void,
): Promise<number> {
  const tenant = tenantArg(tenantRaw);
  return withRuntime(ctx, "jobs", async (rt) => {
    const job = await rt.jobsOf(tenant).get(jobId);
    if (job === null) {
      ctx.err(`jobs: no job ${jobId} for tenant ${tenant}\n`);
      return EXIT.failed;
    }
    fn(job);
    return EXIT.ok;
  });
}

export function register(program: Command, ctx: CliContext): void {
  const jobs = group(program, "jobs", "one tenant's jobs: submit, list, get, timeline, logs, cancel, retry");

  action(
    jobs
      .command("submit")
      .description("send a job to the tenant's intake queue, the way upstream systems do")
      .argument("<tenant>", "tenant id")
      .argument("<workflow>", "workflow name (statemachines/<name>.asl.json)")
      .option("--input <json|@file>", "the job's input: JSON text, or @path of a JSON file (default {})")
      .option("--idempotency-key <key>", "the same key submits at most one job (default: a new UUID)")
      .option("--priority <p>", "high | normal | low")
      .option("--json", "machine-readable output"),
    ctx,
    async (
      tenantRaw: string,
      workflow: string,
      o: { input?: string; idempotencyKey?: string; priority?: string; json?: boolean },
    ) => {
      const tenant = tenantArg(tenantRaw);
      const { intakeBody } = await import("../jobs/submit.ts");
      const { body, message } = await intakeBody(tenant, workflow, o);
      return withRuntime(ctx, "jobs", async (rt) => {
        const { queueUrl, queueName } = await rt.queues.intake(tenant);
        const { messageId } = await rt.sqs.send(queueUrl, { body });
        const result = {
          tenant,
          workflow,
          idempotencyKey: message.idempotencyKey,
          queue: queueName,
          messageId,
        };
        if (o.json) printJson(ctx, result);
        else {
          ctx.out(
            `sent to ${queueName} (message ${messageId}, idempotency key ${message.idempotencyKey});\n` +
              `the scheduler creates the job when it releases it: sluice jobs list ${tenant} --workflow ${workflow}\n`,
          );
        }
        return EXIT.ok;
      });
    },
  );

  action(
    jobs
      .command("list")
      .description("the tenant's jobs, newest first")
      .argument("<tenant>", "tenant id")
      .option("--status <status>", `one of ${JOB_STATUSES.join(", ")}`)
      .option("--workflow <name>", "only this workflow")
      .option("--since <when>", "created at or after: an ISO time, or 15m, 2h, 7d ago")
      .option("--limit <n>", "at most n jobs (1-1000)", positiveInt("--limit", 1000), 50)
      .option("--json", "machine-readable output"),
    ctx,
    async (
      tenantRaw: string,
      o: { status?: string; workflow?: string; since?: string; limit: number; json?: boolean },
    ) => {
      const tenant = tenantArg(tenantRaw);
      if (o.status !== undefined && !(JOB_STATUSES as readonly string[]).includes(o.status)) {
        throw new UsageError(`--status must be one of ${JOB_STATUSES.join(", ")}`);
      }
      const now = Date.now();
      const since = o.since === undefined ? undefined : parseSince(o.since, now);
      return withRuntime(ctx, "jobs", async (rt) => {
        const list = await rt.jobsOf(tenant).listPage({
          ...(o.status !== undefined ? { status: o.status as JobDoc["status"] } : {}),
          ...(o.workflow !== undefined ? { workflow: o.workflow } : {}),
          ...(since !== undefined ? { since } : {}),
          limit: o.limit,
        });
        if (o.json) printJson(ctx, { tenant, jobs: list.map(jobJson) });
        else if (list.length === 0) ctx.out("no jobs\n");
        else
          ctx.out(
            `${formatTable(
              JOB_LIST_HEADERS,
              list.map((j) => jobListCells(j, now)),
            )}\n`,
          );
        return EXIT.ok;
      });
    },
  );

  action(
    jobs
      .command("get")
      .description(
        "one job: status, workflow, input and output (or their references), error and cause, times",
      )
      .argument("<tenant>", "tenant id")
      .argument("<jobId>", "job id")
      .option("--json", "machine-readable output"),
    ctx,
    (tenant: string, jobId: string, o: { json?: boolean }) =>
      withJob(ctx, tenant, jobId, (job) => {
        const view = jobJson(job);
        if (o.json) printJson(ctx, view);
        else {
          const rows = Object.entries(view).map(([k, v]) => [
            k,
            typeof v === "string" ? v : (JSON.stringify(v) ?? ""),
          ]);
          ctx.out(`${formatTable(["FIELD", "VALUE"], rows)}\n`);
        }
      }),
  );

  action(
    jobs
      .command("timeline")
      .description(
        "the job's story from its document: created, claims, states entered and left, rests, reviews, the end; each with how long it lasted",
      )
      .argument("<tenant>", "tenant id")
      .argument("<jobId>", "job id")
      .option("--json", "machine-readable output"),
    ctx,
    (tenant: string, jobId: string, o: { json?: boolean }) =>
      withJob(ctx, tenant, jobId, (job) => {
        const entries = jobTimeline(job, Date.now());
        if (o.json) {
          const traceId = jobTraceId(job);
          printJson(ctx, {
            jobId: job._id,
            status: job.status,
            ...(traceId !== undefined ? { traceId } : {}),
            timeline: entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
          });
        } else {
          const trace = traceLine(job);
          ctx.out(
            `${trace !== undefined ? `${trace}\n` : ""}${formatTable(TIMELINE_HEADERS, entries.map(timelineCells))}\n`,
          );
        }
      }),
  );

  action(
    jobs
      .command("logs")
      .description(
        "what the job document records: attempts, lease, error and cause, reviews, operator actions",
      )
      .argument("<tenant>", "tenant id")
      .argument("<jobId>", "job id")
      .option("--json", "machine-readable output"),
    ctx,
    (tenant: string, jobId: string, o: { json?: boolean }) =>
      withJob(ctx, tenant, jobId, (job) => {
        if (o.json) {
          printJson(ctx, {
            jobId: job._id,
            status: job.status,
            attempts: job.attempts,
            attemptsWithoutProgress: job.attemptsWithoutProgress ?? 0,
            lease: job.lease,
            review:
              job.review === null
                ? null
                : { stateName: job.review.stateName, requestedAt: job.review.requestedAt },
            error: job.error,
            cause: job.cause,
            events: job.history,
          });
        } else ctx.out(`${jobLogLines(job).join("\n")}\n`);
      }),
  );

  action(
    jobs
      .command("cancel")
      .description("cancel a job (refused on a finished one); a running job stops at its worker's next write")
      .argument("<tenant>", "tenant id")
      .argument("<jobId>", "job id")
      .option("--reason <text>", "why (recorded on the job)")
      .option("--by <name>", "who (recorded on the job)"),
    ctx,
    (tenant: string, jobId: string, o: { reason?: string; by?: string }) =>
      jobsCommand(["cancel", tenant, jobId, ...note(o)]),
  );
  action(
    jobs
      .command("retry")
      .description(
        "a failed or cancelled job gets a new attempt (takes a running slot: refused at the tenant's cap or daily quota)",
      )
      .argument("<tenant>", "tenant id")
      .argument("<jobId>", "job id")
      .requiredOption("--from <where>", "checkpoint (the last one) or start")
      .option("--reason <text>", "why (recorded on the job)")
      .option("--by <name>", "who (recorded on the job)"),
    ctx,
    (tenant: string, jobId: string, o: { from: string; reason?: string; by?: string }) =>
      jobsCommand(["retry", tenant, jobId, "--from", o.from, ...note(o)]),
  );
}
