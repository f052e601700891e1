/** `sluice iam policy <scheduler|worker|api> [--tenant T]`: least-privilege IAM policies (shared/iam/). */
import type { Command } from "commander";
import { action, group, type CliContext } from "../context.ts";

export function register(program: Command, ctx: CliContext): void {
  const iam = group(
    program,
    "iam",
    "IAM policies: what each part of Sluice may call, and per-tenant session policies",
  );
  action(
    iam
      .command("policy")
      .description(
        "print the IAM policy JSON a part needs and nothing more (ARNs from the configuration, tenants' own buckets from their documents); with --tenant, the session policy that narrows the part to one tenant (for STS AssumeRole)",
      )
      .argument("<part>", "scheduler | worker | api")
      .option(
        "--tenant <tenant>",
        "print the per-tenant session policy: tenants/<T>/* only, T's queues and key",
      )
      .option("--account <id>", "AWS account id of the ARNs (default SLUICE_AWS_ACCOUNT_ID)")
      .addHelpText(
        "after",
        "\nExamples:\n  sluice iam policy worker > worker-policy.json\n  sluice iam policy api --tenant acme > acme-session.json",
      ),
    ctx,
    async (part: string, o: { tenant?: string; account?: string }) => {
      const { iamPolicyCommand } = await import("../../shared/iam/policy-command.ts");
      return iamPolicyCommand({ part, tenant: o.tenant, account: o.account }, { out: ctx.out, err: ctx.err });
    },
  );
}
