/**
 * `sluice review list|approve|reject`: the operator's side of human review (workers/cli/review.ts
 * does the work).
 */
import type { Command } from "commander";
import { action, group, positiveInt, type CliContext } from "../context.ts";

async function reviewCommand(argv: string[]): Promise<number> {
  const { reviewCommand: run } = await import("../../workers/cli/review.ts");
  return run(argv);
}

const opt = (flag: string, value: string | undefined): string[] => (value === undefined ? [] : [flag, value]);

export function register(program: Command, ctx: CliContext): void {
  const review = group(program, "review", "jobs waiting for a human decision: list, approve, reject");
  action(
    review
      .command("list")
      .description(
        "a tenant's jobs waiting for review, oldest first, one JSON line each (with the data to review)",
      )
      .argument("<tenant>", "tenant id")
      .option("--limit <n>", "at most n jobs (1-1000)", positiveInt("--limit", 1000), 50),
    ctx,
    (tenant: string, o: { limit: number }) => reviewCommand(["list", tenant, "--limit", String(o.limit)]),
  );
  action(
    review
      .command("approve")
      .description("approve: the review Task succeeds with --output and the job goes on")
      .argument("<tenant>", "tenant id")
      .argument("<jobId>", "job id")
      .option("--output <json>", "the Task's output (JSON; default {})")
      .option("--token <taskToken>", "only if the job still waits on this task token")
      .option("--reviewer <name>", "who decided (recorded on the job)"),
    ctx,
    (tenant: string, jobId: string, o: { output?: string; token?: string; reviewer?: string }) =>
      reviewCommand([
        "approve",
        tenant,
        jobId,
        ...opt("--output", o.output),
        ...opt("--token", o.token),
        ...opt("--reviewer", o.reviewer),
      ]),
  );
  action(
    review
      .command("reject")
      .description("reject: the review Task fails with --error and --cause (Retry and Catch apply)")
      .argument("<tenant>", "tenant id")
      .argument("<jobId>", "job id")
      .option("--error <name>", "error name", "Review.Rejected")
      .option("--cause <text>", "cause", "rejected by a reviewer")
      .option("--token <taskToken>", "only if the job still waits on this task token")
      .option("--reviewer <name>", "who decided (recorded on the job)"),
    ctx,
    (tenant: string, jobId: string, o: { error: string; cause: string; token?: string; reviewer?: string }) =>
      reviewCommand([
        "reject",
        tenant,
        jobId,
        "--error",
        o.error,
        "--cause",
        o.cause,
        ...opt("--token", o.token),
        ...opt("--reviewer", o.reviewer),
      ]),
  );
}
