/**
 * `sluice tenants ...`: operators' view and edits of tenants (scheduler/cli/tenants.ts does the
 * work; this file only declares the commands, their arguments and options).
 *
 * Adding a subcommand (the pattern of every group): one `action(tenants.command(...)...)` block that
 * declares its arguments and options and calls the operation with an argv or a typed call. Keep
 * `--json` on anything that lists or gets.
 */
import type { Command } from "commander";
import { action, group, type CliContext } from "../context.ts";

const jsonFlag = (json: boolean | undefined): string[] => (json ? ["--json"] : []);

async function tenantsCommand(argv: string[]): Promise<number> {
  const { tenantsCommand: run } = await import("../../scheduler/cli/tenants.ts");
  return run(argv);
}

export function register(program: Command, ctx: CliContext): void {
  program.commandsGroup("Operator commands:");
  const tenants = group(program, "tenants", "tenants' quotas, status and live figures");

  action(
    tenants
      .command("list")
      .description(
        "quota, status, running, queued, backlog, released/s, throttled (last scheduler interval) and problems of every tenant",
      )
      .option("--json", "machine-readable output"),
    ctx,
    (o: { json?: boolean }) => tenantsCommand(["list", ...jsonFlag(o.json)]),
  );
  action(
    tenants
      .command("get")
      .description("one tenant's quota and live figures (exit 1 if it has no document)")
      .argument("<tenant>", "tenant id")
      .option("--json", "machine-readable output"),
    ctx,
    (tenant: string, o: { json?: boolean }) => tenantsCommand(["get", tenant, ...jsonFlag(o.json)]),
  );
  action(
    tenants
      .command("check")
      .description("validate every tenant document (exit 1 if any is invalid)")
      .option("--json", "machine-readable output"),
    ctx,
    (o: { json?: boolean }) => tenantsCommand(["check", ...jsonFlag(o.json)]),
  );
  action(
    tenants
      .command("set")
      .description("validated edit of a tenant's quota (compare-and-set on its version)")
      .argument("<tenant>", "tenant id")
      .argument("<key=value...>", "fields to set; values are JSON when they parse, text otherwise")
      .option("--json", "machine-readable output")
      .addHelpText(
        "after",
        '\nExamples:\n  sluice tenants set acme maxConcurrency=20 weight=2\n  sluice tenants set acme status=paused reason="billing overdue"',
      ),
    ctx,
    (tenant: string, pairs: string[], o: { json?: boolean }) =>
      tenantsCommand(["set", tenant, ...pairs, ...jsonFlag(o.json)]),
  );
  for (const [name, to, what] of [
    [
      "promote",
      "dedicated",
      "move the tenant's data to its own database (and its objects to its own bucket/key) while its work goes on",
    ],
    [
      "demote",
      "shared",
      "move the tenant's data back to the shared database and its objects to the fleet bucket while its work goes on",
    ],
  ] as const) {
    const cmd = tenants
      .command(name)
      .description(
        `${what} (fence, copy, verify counts and content hashes, switch, drain, delete; run again to resume)`,
      )
      .argument("<tenant>", "tenant id")
      .option("--to <tier>", `the target tier: ${to}`)
      .option("--grace-ms <ms>", "wait after the switch before draining the old home (default 10000)")
      .option("--abort", "undo a move that has not switched yet")
      .option("--json", "machine-readable output");
    if (name === "promote") {
      cmd
        .option("--database <name>", "the dedicated database (default sluice_t_<tenant>)")
        .option("--mongo-url <url>", "the tenant's own MongoDB (default the fleet's)")
        .option("--bucket <name>", "the tenant's own bucket: its objects are moved there")
        .option(
          "--kms-key <id>",
          "the tenant's own KMS key: its objects are copied under it (alone on a dedicated tenant: only the objects move)",
        );
    }
    action(
      cmd,
      ctx,
      (
        tenant: string,
        o: {
          to?: string;
          graceMs?: string;
          abort?: boolean;
          json?: boolean;
          database?: string;
          mongoUrl?: string;
          bucket?: string;
          kmsKey?: string;
        },
      ) =>
        tenantsCommand([
          name,
          tenant,
          ...(o.to === undefined ? [] : ["--to", o.to]),
          ...(o.database === undefined ? [] : ["--database", o.database]),
          ...(o.mongoUrl === undefined ? [] : ["--mongo-url", o.mongoUrl]),
          ...(o.bucket === undefined ? [] : ["--bucket", o.bucket]),
          ...(o.kmsKey === undefined ? [] : ["--kms-key", o.kmsKey]),
          ...(o.graceMs === undefined ? [] : ["--grace-ms", o.graceMs]),
          ...(o.abort ? ["--abort"] : []),
          ...jsonFlag(o.json),
        ]),
    );
  }
  action(
    tenants
      .command("offboard")
      .description(
        "export the tenant's documents and objects, then (after confirmation) delete them, its queues and its tenant document; the audit trail stays",
      )
      .argument("<tenant>", "tenant id")
      .requiredOption(
        "--export <dir>",
        "where the export goes (NDJSON per collection, s3/ objects, the report)",
      )
      .option("--yes", "do not ask: delete after the export")
      .option("--force", "cancel the tenant's jobs in flight first (else refused while any)")
      .option("--json", "machine-readable output"),
    ctx,
    (tenant: string, o: { export: string; yes?: boolean; force?: boolean; json?: boolean }) =>
      tenantsCommand([
        "offboard",
        tenant,
        "--export",
        o.export,
        ...(o.yes ? ["--yes"] : []),
        ...(o.force ? ["--force"] : []),
        ...jsonFlag(o.json),
      ]),
  );
  action(
    tenants
      .command("audit")
      .description("the tenant's audit trail, newest first: when, who, action, target, change")
      .argument("<tenant>", "tenant id")
      .option("--limit <n>", "at most this many entries (1-1000, default 50)")
      .option("--before <time>", "only entries older than this ISO time (page back)")
      .option("--json", "machine-readable output"),
    ctx,
    (tenant: string, o: { limit?: string; before?: string; json?: boolean }) =>
      tenantsCommand([
        "audit",
        tenant,
        ...(o.limit === undefined ? [] : ["--limit", o.limit]),
        ...(o.before === undefined ? [] : ["--before", o.before]),
        ...jsonFlag(o.json),
      ]),
  );
}
