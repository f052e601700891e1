/**
 * `tenants offboard <tenant> --export <dir> [--yes] [--force] [--json]`: export the tenant's
 * documents and objects into `<dir>`, then — after `--yes` or the operator typing the tenant id —
 * delete everything of it but the audit trail (scheduler/moves/offboard.ts). Progress on stderr,
 * the report on stdout and in `<dir>/offboard-report.json`. Exit 0 done, 1 refused (in flight
 * without --force, moving, not confirmed), 2 bad arguments.
 */
import type { Db } from "mongodb";
import type { AuditActor, AuditLog } from "../../shared/audit/audit-log.ts";
import type { BlobStore } from "../../shared/aws/s3.ts";
import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import { TenantIdSchema } from "../../shared/tenancy/tenant-id.ts";
import { offboardTenant, OffboardRefusedError, type OffboardReport } from "../moves/offboard.ts";
import { formatTable } from "./table.ts";

export interface OffboardCommandContext {
  readonly db: Db;
  readonly sqs: Pick<SqsPort, "getQueueUrl" | "deleteQueue">;
  readonly blobs: Pick<BlobStore, "listAll" | "getBuffer" | "delete">;
  readonly queuePrefix: string;
  readonly actor: AuditActor;
  readonly audit: Pick<AuditLog, "append">;
  readonly now: () => number;
  readonly out: (t: string) => void;
  readonly err: (t: string) => void;
  /** Asks the operator a question and returns the line typed (default: the terminal). */
  readonly ask?: (question: string) => Promise<string>;
}

const USAGE = "usage: tenants offboard <tenant> --export <dir> [--yes] [--force] [--json]";

async function askTerminal(question: string): Promise<string> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** The report as `what  count` rows (pure). */
export function offboardReportRows(r: OffboardReport): string[][] {
  return [
    ...Object.entries(r.deleted.documents).map(([k, v]) => [`documents: ${k}`, String(v)]),
    ["objects under the S3 prefix", String(r.deleted.objects)],
    ["queues", r.deleted.queues.length > 0 ? r.deleted.queues.join(", ") : "none"],
    ["dedicated database", r.deleted.database ?? "-"],
    ["tenant document", r.deleted.tenantDocument ? "1" : "0"],
    ["jobs cancelled first", String(r.cancelled)],
  ];
}

export async function offboardCommand(
  rest: readonly string[],
  json: boolean,
  ctx: OffboardCommandContext,
): Promise<number> {
  let exportDir: string | undefined;
  let yes = false;
  let force = false;
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i += 1) {
    const a = rest[i] as string;
    if (a === "--export") {
      exportDir = rest[i + 1];
      i += 1;
    } else if (a === "--yes") yes = true;
    else if (a === "--force") force = true;
    else if (a.startsWith("--")) {
      ctx.err(`tenants offboard: unknown option ${a}\n${USAGE}`);
      return 2;
    } else positionals.push(a);
  }
  const tenant = TenantIdSchema.safeParse(positionals[0]);
  if (!tenant.success || positionals.length !== 1 || exportDir === undefined || exportDir === "") {
    ctx.err(
      `tenants offboard: ${!tenant.success ? "missing or invalid tenant" : "--export <dir> is required"}\n${USAGE}`,
    );
    return 2;
  }
  const ask = ctx.ask ?? askTerminal;
  try {
    const report = await offboardTenant(
      {
        sharedDb: ctx.db,
        openHome: async (home) => {
          if (home.mongoUrl === undefined)
            return { db: ctx.db.client.db(home.database), close: async () => undefined };
          const { MongoClient } = await import("mongodb");
          const client = new MongoClient(home.mongoUrl, {
            serverSelectionTimeoutMS: 5_000,
            retryWrites: false,
          });
          await client.connect();
          return { db: client.db(home.database), close: () => client.close() };
        },
        blobs: ctx.blobs,
        sqs: ctx.sqs,
        queuePrefix: ctx.queuePrefix,
        audit: ctx.audit,
        now: ctx.now,
        progress: (line) => ctx.err(line),
        confirm: async (t) =>
          yes ||
          (
            await ask(
              `Delete every document, object and queue of tenant ${t}? Type the tenant id to confirm: `,
            )
          ).trim() === t,
      },
      { tenant: tenant.data, exportDir, force, actor: ctx.actor },
    );
    if (json) ctx.out(JSON.stringify({ ok: true, report }, null, 2));
    else {
      ctx.out(`${tenant.data}: offboarded; exported to ${exportDir}; deleted:`);
      ctx.out(formatTable(["what", "deleted"], offboardReportRows(report)));
      ctx.out(`the audit trail is kept (tenants audit ${tenant.data})`);
    }
    return 0;
  } catch (e) {
    if (!(e instanceof OffboardRefusedError)) throw e;
    if (json) ctx.out(JSON.stringify({ ok: false, code: e.code, message: e.message }, null, 2));
    else ctx.err(`tenants offboard: ${e.message}`);
    return 1;
  }
}
