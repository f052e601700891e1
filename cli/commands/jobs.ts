/**
 * `sluice jobs ...`: one tenant's jobs. cancel and retry are the job store's operator operations
 * (scheduler/cli/jobs.ts).
 */
import type { Command } from "commander";
import { action, group, type CliContext } from "../context.ts";

async function jobsCommand(argv: string[]): Promise<number> {
  const { jobsCommand: run } = await import("../../scheduler/cli/jobs.ts");
  return run(argv);
}

const note = (o: { reason?: string; by?: string }): string[] => [
  ...(o.reason === undefined ? [] : ["--reason", o.reason]),
  ...(o.by === undefined ? [] : ["--by", o.by]),
];

export function register(program: Command, ctx: CliContext): void {
  const jobs = group(program, "jobs", "one tenant's jobs: cancel, retry");
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
