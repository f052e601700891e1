/**
 * Operators' tenant commands:
 *
 *   tenants list [--json]                      quotas, running, queued, intake backlog, released/s,
 *                                              throttled, problems
 *   tenants get <tenant> [--json]              one tenant's row of the list, field by field; exit 1 if unknown
 *   tenants check [--json]                     validate every tenant document; exit 1 if any is invalid
 *   tenants set <tenant> key=value ... [--json] validated edit (bumps version and updatedAt)
 *   tenants audit <tenant> [--limit N] [--before ISO] [--json]   the tenant's audit trail
 *   tenants promote <tenant> --to dedicated [...] / demote <tenant> --to shared   (tenants-move.ts)
 *
 * `tenantsCommand` returns the exit code and never calls `process.exit`; pass `deps` to run it against
 * a given database (tests), otherwise it loads the configuration from the environment and connects.
 * Exit codes: 0 ok, 1 invalid documents or a rejected edit, 2 usage or configuration error.
 */
import type { Db } from "mongodb";
import { tenantsCollection } from "../../shared/fleet/tenants-collection.ts";
import { MongoTenantRouter, type TenantDataRouter } from "../../shared/tenancy/tenant-router.ts";
import type { Logger } from "pino";
import { createAuditLog, osActor, type AuditActor, type AuditLog } from "../../shared/audit/audit-log.ts";
import type { BlobStore } from "../../shared/aws/s3.ts";
import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import { TenantIdSchema } from "../../shared/tenancy/tenant-id.ts";
import { formatProblem } from "../quota/schema.ts";
import { editQuota } from "../quota/edit-quota.ts";
import { parseAssignments, SETTABLE_FIELDS } from "./assignments.ts";
import { formatTable } from "./table.ts";
import { SweeperRegistry } from "../../shared/fleet/sweeper-heartbeats.ts";
import { auditCommand } from "./tenants-audit.ts";
import type { MoveObjectsDeps } from "../moves/tenant-move.ts";
import { moveCommand } from "./tenants-move.ts";
import { offboardCommand } from "./tenants-offboard.ts";
import { LIST_HEADERS, listCells, rowJson, tenantRows } from "./tenants-report.ts";

export interface TenantsDeps {
  /** The shared database (the tenants collection; fleet statistics). */
  readonly db: Db;
  /** Where each tenant's jobs and usage live; default a router over `db` (closed after the command). */
  readonly router?: TenantDataRouter;
  /** For the intake backlog column; without it the column shows `-`. */
  readonly sqs?: SqsPort;
  /** Queue name prefix (config `SLUICE_QUEUE_PREFIX`); default `sluice`. */
  readonly queuePrefix?: string;
  readonly now?: () => number;
  readonly out?: (text: string) => void;
  readonly err?: (text: string) => void;
  readonly log?: Logger;
  /** Who runs the command, for the audit trail; default the OS user. */
  readonly actor?: AuditActor;
  /** Default: the audit trail in `db`. */
  readonly audit?: AuditLog;
  /** The tenant blob store (offboard); without it `offboard` is refused. */
  readonly blobs?: Pick<BlobStore, "listAll" | "list" | "getBuffer" | "delete">;
  /** S3 for moving a tenant's objects (promote --bucket / --kms-key, demote from its own bucket). */
  readonly objects?: MoveObjectsDeps;
  /** Asks the operator a question (offboard's confirmation); default the terminal. */
  readonly ask?: (question: string) => Promise<string>;
}

export const TENANTS_USAGE = `usage: tenants <command> [--json]
  list                          quota, status, running, queued, backlog, released/s, throttled
                                (last scheduler summary interval), owning scheduler replica (lease
                                time left) and problems of every tenant
  get <tenant>                  one tenant's quota and live figures (exit 1 if it has no document)
  check                         validate every tenant document (exit 1 if any is invalid)
  set <tenant> key=value ...    validated edit; keys: ${SETTABLE_FIELDS.join(", ")}
                                values are JSON when they parse (5, true, null, {"perSecond":5,"burst":10}),
                                text otherwise (status=paused reason="billing overdue")
  promote <tenant> --to dedicated [--database D] [--mongo-url U] [--bucket B] [--kms-key K]
          [--grace-ms N] [--abort]
                                move the tenant's data to its own database (and with --bucket /
                                --kms-key its objects to its own bucket and key) while its work goes
                                on (fence, copy, verify, switch, drain, delete); run again to
                                resume, --abort before the switch to undo; on a dedicated tenant
                                --bucket / --kms-key alone move only its objects
  demote <tenant> --to shared [--grace-ms N] [--abort]
                                the reverse: back to the shared database and the fleet bucket
  offboard <tenant> --export <dir> [--yes] [--force]
                                export the tenant's documents (NDJSON) and objects into <dir>,
                                then after confirmation delete them, its queues and its tenant
                                document; only the audit trail stays (--force cancels jobs in flight)
  audit <tenant> [--limit N] [--before ISO-TIME]
                                the tenant's audit trail, newest first: when, who, action,
                                target, change (quota edits, cancels, retries, reviews, moves,
                                offboarding)`;

export async function tenantsCommand(argv: string[], deps?: TenantsDeps): Promise<number> {
  const json = argv.includes("--json");
  const args = argv.filter((a) => a !== "--json");
  const err = deps?.err ?? ((t: string) => process.stderr.write(`${t}\n`));
  const [command, ...rest] = args;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    (command === undefined ? err : (deps?.out ?? ((t: string) => process.stdout.write(`${t}\n`))))(
      TENANTS_USAGE,
    );
    return command === undefined ? 2 : 0;
  }
  if (!["list", "get", "check", "set", "audit", "promote", "demote", "offboard"].includes(command)) {
    err(`unknown command: ${command}\n${TENANTS_USAGE}`);
    return 2;
  }
  if (deps !== undefined) return run(command, rest, json, deps);
  return withEnvironment((d) => run(command, rest, json, d), err);
}

async function run(command: string, rest: string[], json: boolean, deps: TenantsDeps): Promise<number> {
  if (deps.router !== undefined) return runWith(command, rest, json, deps, deps.router);
  const router = new MongoTenantRouter({ sharedDb: deps.db, ...(deps.log ? { log: deps.log } : {}) });
  try {
    return await runWith(command, rest, json, deps, router);
  } finally {
    await router.close();
  }
}

async function runWith(
  command: string,
  rest: string[],
  json: boolean,
  deps: TenantsDeps,
  router: TenantDataRouter,
): Promise<number> {
  const out = deps.out ?? ((t: string) => process.stdout.write(`${t}\n`));
  const err = deps.err ?? ((t: string) => process.stderr.write(`${t}\n`));
  const ctx = {
    db: deps.db,
    queuePrefix: deps.queuePrefix ?? "sluice",
    now: deps.now ?? Date.now,
    log: deps.log ?? silentLogger(),
    ...(deps.sqs !== undefined ? { sqs: deps.sqs } : {}),
    router,
  };
  switch (command) {
    case "list": {
      const rows = await tenantRows(ctx);
      const sweepers = await new SweeperRegistry(ctx.db).view(ctx.now());
      if (json) {
        const fleet = { sweepersAlive: sweepers.live.length, warning: sweepers.warning ?? null };
        out(JSON.stringify({ tenants: rows.map(rowJson), sweepers: fleet }, null, 2));
      } else if (rows.length === 0) out("no tenant documents");
      else out(formatTable(LIST_HEADERS, rows.map(listCells)));
      if (sweepers.warning !== undefined && !json) err(`warning: ${sweepers.warning}`);
      return 0;
    }
    case "get":
      return getCommand(rest, json, { ...ctx, out, err });
    case "check": {
      const rows = await tenantRows(ctx);
      const invalid = rows.filter((r) => r.problems.length > 0);
      if (json) {
        out(
          JSON.stringify(
            { ok: invalid.length === 0, checked: rows.length, invalid: invalid.map(rowJson) },
            null,
            2,
          ),
        );
      } else {
        for (const r of invalid) {
          out(`${r.tenant}: invalid`);
          for (const p of r.problems) out(`  ${formatProblem(p)}`);
        }
        out(`${rows.length} tenant document(s) checked, ${invalid.length} invalid`);
      }
      return invalid.length === 0 ? 0 : 1;
    }
    case "audit":
      return auditCommand(rest, json, { audit: deps.audit ?? createAuditLog(deps.db), out, err });
    case "offboard":
      if (deps.sqs === undefined || deps.blobs === undefined) {
        err("tenants offboard: needs SQS and S3 (run it with the fleet's configuration)");
        return 2;
      }
      return offboardCommand(rest, json, {
        db: deps.db,
        sqs: deps.sqs,
        blobs: deps.blobs,
        queuePrefix: ctx.queuePrefix,
        actor: deps.actor ?? (await osActor()),
        audit: deps.audit ?? createAuditLog(deps.db),
        now: ctx.now,
        out,
        err,
        ...(deps.ask !== undefined ? { ask: deps.ask } : {}),
      });
    case "promote":
    case "demote":
      return moveCommand(command, rest, json, {
        db: deps.db,
        actor: deps.actor ?? (await osActor()),
        audit: deps.audit ?? createAuditLog(deps.db),
        now: ctx.now,
        out,
        err,
        ...(deps.objects !== undefined ? { objects: deps.objects } : {}),
      });
    default:
      return setCommand(rest, json, {
        ...ctx,
        out,
        err,
        actor: deps.actor ?? (await osActor()),
        audit: deps.audit ?? createAuditLog(deps.db),
        ...(deps.blobs !== undefined ? { blobs: deps.blobs } : {}),
      });
  }
}

/** `tenants get <tenant>`: the tenant's row of `tenants list`, as JSON or one `FIELD  value` line each. */
async function getCommand(
  rest: string[],
  json: boolean,
  ctx: Parameters<typeof tenantRows>[0] & { out: (t: string) => void; err: (t: string) => void },
): Promise<number> {
  const [tenant, ...extra] = rest;
  if (tenant === undefined || extra.length > 0) {
    ctx.err(`tenants get: ${tenant === undefined ? "missing tenant" : `unexpected ${extra.join(" ")}`}`);
    return 2;
  }
  const row = (await tenantRows(ctx)).find((r) => r.tenant === tenant);
  if (row === undefined) {
    ctx.err(`${tenant}: no tenant document`);
    return 1;
  }
  if (json) ctx.out(JSON.stringify(rowJson(row), null, 2));
  else {
    const cells = listCells(row);
    ctx.out(
      formatTable(
        ["FIELD", "VALUE"],
        LIST_HEADERS.map((h, i) => [h, cells[i] ?? ""]),
      ),
    );
  }
  return 0;
}

interface SetContext {
  readonly db: Db;
  readonly actor: AuditActor;
  readonly audit: Pick<AuditLog, "append">;
  readonly now: () => number;
  readonly out: (t: string) => void;
  readonly err: (t: string) => void;
  /** To refuse a placement edit while the tenant has objects. */
  readonly blobs?: Pick<BlobStore, "list">;
}

/**
 * Reads the tenant's document, applies the assignments, validates the result with the quota schema,
 * and writes it as a compare-and-set on `version` (version + 1, `$currentDate: { updatedAt: true }`).
 * A tenant without a document gets one (`_id` = tenant id, version 1) if the result is valid.
 */
async function setCommand(rest: string[], json: boolean, ctx: SetContext): Promise<number> {
  const [rawTenant, ...pairs] = rest;
  const tenant = TenantIdSchema.safeParse(rawTenant);
  if (!tenant.success) {
    ctx.err(
      `tenants set: ${rawTenant === undefined ? "missing tenant" : `invalid tenant id ${JSON.stringify(rawTenant)}`}`,
    );
    return 2;
  }
  const parsed = parseAssignments(pairs);
  if (!parsed.ok) {
    for (const e of parsed.errors) ctx.err(`tenants set: ${e}`);
    return 2;
  }
  // Operator-level write to the cross-tenant `tenants` collection (the scheduler only reads it).
  const tenants = tenantsCollection(ctx.db);
  const blobs = ctx.blobs;
  const r = await editQuota(
    {
      tenants,
      audit: ctx.audit,
      now: ctx.now,
      ...(blobs !== undefined
        ? { hasObjects: async (t) => (await blobs.list(t, { pageSize: 1 })).items.length > 0 }
        : {}),
    },
    tenant.data,
    parsed.assignments,
    ctx.actor,
  );
  if (!r.ok && r.reason === "invalid") {
    if (json) ctx.out(JSON.stringify({ ok: false, tenant: tenant.data, problems: r.problems }, null, 2));
    else {
      ctx.err(`${tenant.data}: not saved, the result would be invalid:`);
      for (const p of r.problems) ctx.err(`  ${formatProblem(p)}`);
    }
    return 1;
  }
  if (!r.ok && r.reason === "objects") {
    if (json) ctx.out(JSON.stringify({ ok: false, tenant: tenant.data, error: r.message }, null, 2));
    else ctx.err(`not saved: ${r.message}`);
    return 1;
  }
  if (!r.ok) {
    ctx.err(`${tenant.data}: not saved, the document kept changing concurrently; try again`);
    return 1;
  }
  if (json)
    ctx.out(
      JSON.stringify({ ok: true, tenant: tenant.data, version: r.version, created: r.created }, null, 2),
    );
  else
    ctx.out(
      `${tenant.data}: ${r.created ? "created" : "updated"} (version ${r.version}): ${r.changed.join(", ")}`,
    );
  return 0;
}

/** Config from the environment, a MongoDB connection and an SQS adapter, closed afterwards. */
async function withEnvironment(
  fn: (deps: TenantsDeps) => Promise<number>,
  err: (t: string) => void,
): Promise<number> {
  const { loadConfig, ConfigError, CONFIG_EXIT_CODE } = await import("../../shared/config/index.ts");
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(`sluice: invalid configuration\n${e.problems.map((p) => `  ${p}`).join("\n")}`);
    return CONFIG_EXIT_CODE;
  }
  const { connectMongo } = await import("../../shared/mongo/client.ts");
  const { createAwsClients } = await import("../../shared/aws/clients.ts");
  const { createSqsAdapter } = await import("../../shared/aws/sqs.ts");
  const { createS3Store } = await import("../../shared/aws/s3.ts");
  const { createPlacementSource } = await import("../../shared/tenancy/storage-placement.ts");
  const { createS3ObjectPort } = await import("../../shared/aws/s3-object-mover.ts");
  const mongo = await connectMongo(config, { appName: "sluice-tenants-cli" });
  const aws = createAwsClients(config.aws);
  const placements = createPlacementSource(tenantsCollection(mongo.db()), {
    fleetBucket: config.s3.bucket,
  });
  try {
    return await fn({
      db: mongo.db(),
      sqs: createSqsAdapter(aws.sqs),
      queuePrefix: config.queues.prefix,
      blobs: createS3Store(aws.s3, config.s3.bucket, { placement: (t) => placements.placementOf(t) }),
      objects: {
        port: createS3ObjectPort(aws.s3),
        fleetBucket: config.s3.bucket,
        signedUrlTtlMs: config.jobsApi.urlTtlSeconds * 1000,
      },
    });
  } finally {
    aws.destroy();
    await mongo.close();
  }
}
