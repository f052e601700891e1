/**
 * `sluice dlq list|show|redrive`: the dead-letter queues (shared/dlq/): how deep each is, what is in
 * one (with the reason Sluice attached), and putting messages back on their source queue after a fix.
 */
import type { Command } from "commander";
import pLimit from "p-limit";
import { formatTable } from "../../scheduler/cli/table.ts";
import { action, EXIT, group, positiveInt, printJson, UsageError, type CliContext } from "../context.ts";
import { withRuntime } from "../runtime.ts";
import { tenantArg } from "./jobs.ts";

const QUEUE_ARG = "work, a tenant id, or a queue name (e.g. sluice-intake-acme-dlq)";

const notAQueue = (arg: string) =>
  `${JSON.stringify(arg)} is neither "work", a tenant id nor a Sluice queue name`;

export function register(program: Command, ctx: CliContext): void {
  const dlq = group(program, "dlq", "dead-letter queues: depth, messages with their reason, redrive");

  action(
    dlq
      .command("list")
      .description("depth of each dead-letter queue: every tenant's intake DLQ and the work DLQ")
      .option("--tenant <tenant>", "only this tenant's intake DLQ")
      .option("--work", "only the work queue's DLQ")
      .option("--json", "machine-readable output"),
    ctx,
    async (o: { tenant?: string; work?: boolean; json?: boolean }) => {
      if (o.tenant !== undefined && o.work) throw new UsageError("give --tenant or --work, not both");
      const tenant = o.tenant === undefined ? undefined : tenantArg(o.tenant);
      return withRuntime(ctx, "dlq", async (rt) => {
        const { tenantIds, tenantTarget, workTarget } = await import("../../shared/dlq/targets.ts");
        const tenants = o.work ? [] : tenant !== undefined ? [tenant] : await tenantIds(rt);
        const limit = pLimit(16);
        const rows = await Promise.all(
          [
            ...(tenant === undefined ? [Promise.resolve(workTarget(rt))] : []),
            ...tenants.map((t) => limit(() => tenantTarget(rt, t).catch(() => t))),
          ].map(async (p) => {
            const target = await p;
            if (typeof target === "string")
              return {
                queue: null,
                tenant: target,
                kind: "intake",
                depth: null,
                note: "no intake queue (not provisioned?)",
              };
            const d = await limit(() => rt.sqs.approximateDepth(target.dlqUrl));
            return {
              queue: target.dlqName,
              tenant: target.kind === "intake" ? target.label : null,
              kind: target.kind,
              depth: d.visible + d.inFlight + d.delayed,
              note: null,
            };
          }),
        );
        if (o.json) printJson(ctx, { queues: rows });
        else {
          ctx.out(
            `${formatTable(
              ["QUEUE", "KIND", "TENANT", "MESSAGES", "NOTE"],
              rows.map((r) => [
                r.queue ?? "-",
                r.kind,
                r.tenant ?? "-",
                r.depth === null ? "-" : String(r.depth),
                r.note ?? "",
              ]),
            )}\n`,
          );
        }
        return EXIT.ok;
      });
    },
  );

  action(
    dlq
      .command("show")
      .description("the messages of one DLQ with their reason, without consuming them")
      .argument("<queue>", QUEUE_ARG)
      .option("--limit <n>", "at most n messages (1-1000)", positiveInt("--limit", 1000), 20)
      .option("--json", "machine-readable output (bodies in full)"),
    ctx,
    (queue: string, o: { limit: number; json?: boolean }) =>
      withRuntime(ctx, "dlq", async (rt) => {
        const { resolveTarget } = await import("../../shared/dlq/targets.ts");
        const { deadLetter, peek } = await import("../../shared/dlq/dead-letters.ts");
        const target = await resolveTarget(rt, queue);
        if (target === null) throw new UsageError(notAQueue(queue));
        const letters = (await peek(rt.sqs, target.dlqUrl, o.limit)).map(deadLetter);
        if (o.json) printJson(ctx, { queue: target.dlqName, source: target.sourceName, messages: letters });
        else if (letters.length === 0) ctx.out(`${target.dlqName}: empty\n`);
        else {
          for (const l of letters) {
            const body = l.body.length > 200 ? `${l.body.slice(0, 200)}… (${l.body.length} chars)` : l.body;
            ctx.out(
              `${l.messageId}  sent ${l.sentAt}  received ${l.receiveCount}x\n  reason: ${l.reason}\n  body:   ${body}\n`,
            );
          }
          ctx.out(`${letters.length} message(s) shown from ${target.dlqName} (left in the queue)\n`);
        }
        return EXIT.ok;
      }),
  );

  action(
    dlq
      .command("redrive")
      .description(
        "move messages back to their source queue after a fix (at least once: send, then delete); reports counts",
      )
      .argument("<queue>", QUEUE_ARG)
      .option("--all", "every message of the DLQ")
      .option("--id <messageId>", "only this message (its id in the DLQ, from dlq show)")
      .option("--json", "machine-readable output"),
    ctx,
    async (queue: string, o: { all?: boolean; id?: string; json?: boolean }) => {
      if (Boolean(o.all) === (o.id !== undefined))
        throw new UsageError("give exactly one of --all and --id <messageId>");
      return withRuntime(ctx, "dlq", async (rt) => {
        const { resolveTarget } = await import("../../shared/dlq/targets.ts");
        const { redrive } = await import("../../shared/dlq/dead-letters.ts");
        const target = await resolveTarget(rt, queue);
        if (target === null) throw new UsageError(notAQueue(queue));
        const progress = !o.json && process.stderr.isTTY;
        const report = await redrive(rt.sqs, target, {
          ...(o.id !== undefined ? { messageId: o.id } : {}),
          onMoved: (n) => {
            if (progress && n % 10 === 0) process.stderr.write(`\rmoved ${n}...`);
          },
        });
        if (progress) process.stderr.write("\r");
        if (o.json) printJson(ctx, report);
        else {
          ctx.out(`${report.moved} message(s) moved from ${report.queue} to ${report.to}\n`);
          for (const s of report.skipped) ctx.out(`skipped ${s.messageId}: ${s.why}\n`);
          if (report.notFound !== undefined)
            ctx.err(`dlq: no message ${report.notFound} in ${report.queue}\n`);
        }
        return report.notFound !== undefined || report.skipped.length > 0 ? EXIT.failed : EXIT.ok;
      });
    },
  );
}
