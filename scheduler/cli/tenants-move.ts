/**
 * `tenants promote <tenant> --to dedicated [--database D] [--mongo-url U] [--bucket B] [--kms-key K]`
 * and `tenants demote <tenant> --to shared`: move a tenant between tiers while its work goes on
 * (scheduler/moves/tenant-move.ts). `--bucket` / `--kms-key` give the tenant its own placement and
 * move its objects there; a demotion moves them back to the fleet bucket. On a tenant already
 * dedicated, `promote --bucket B [--kms-key K]` moves only its objects. Progress on stderr, the report (per collection: count and
 * content hash before and after, late writes carried over, documents deleted from the old home) on
 * stdout. The same command resumes a move that was interrupted; `--abort` undoes one that has not
 * switched yet. Options: `--grace-ms N` (wait after the switch before the old home is drained,
 * default 10000: twice the routers' cache TTL; when objects move, the placement cache's TTL plus the
 * API's signed URL lifetime, at least 60000: `objectMoveGraceMs`), `--json`.
 */
import { MongoClient, type Db } from "mongodb";
import type { AuditActor, AuditLog } from "../../shared/audit/audit-log.ts";
import type { MoveRecord } from "../../shared/moves/move-record.ts";
import { TenantIdSchema } from "../../shared/tenancy/tenant-id.ts";
import { PLACEMENT_TTL_MS } from "../../shared/tenancy/storage-placement.ts";
import {
  abortMove,
  describePlacement,
  MoveError,
  planMove,
  runMove,
  type MoveDeps,
} from "../moves/tenant-move.ts";
import { formatTable } from "./table.ts";

export const DEFAULT_MOVE_GRACE_MS = 10_000;
/**
 * The default grace when objects move: every process writes to the new bucket by then (twice the
 * placement cache's TTL), and every URL signed for the old bucket has expired (the placement cache,
 * during which a process may still sign for the old bucket, plus the signed URLs' lifetime). A shorter
 * grace lets an upload through such a URL land in the old bucket after the clean, where nothing
 * carries it over.
 */
export function objectMoveGraceMs(signedUrlTtlMs = 0): number {
  return Math.max(2 * PLACEMENT_TTL_MS, PLACEMENT_TTL_MS + Math.max(0, signedUrlTtlMs));
}

export interface MoveCommandContext {
  readonly db: Db;
  readonly actor: AuditActor;
  readonly audit: Pick<AuditLog, "append">;
  readonly now: () => number;
  readonly out: (t: string) => void;
  readonly err: (t: string) => void;
  /** Called after the switch (a long-lived process invalidates its router here). */
  readonly onSwitch?: MoveDeps["onSwitch"];
  readonly sleep?: (ms: number) => Promise<void>;
  /** S3, for moves of the tenant's objects (`--bucket`, `--kms-key`, a demotion from its own bucket). */
  readonly objects?: MoveDeps["objects"];
}

const USAGE = `usage: tenants promote <tenant> --to dedicated [--database D] [--mongo-url U] [--bucket B] [--kms-key K] [--grace-ms N] [--abort] [--json]
       tenants demote <tenant> --to shared [--grace-ms N] [--abort] [--json]`;

interface Parsed {
  tenant: string;
  to?: string;
  database?: string;
  mongoUrl?: string;
  bucket?: string;
  kmsKeyId?: string;
  graceMs?: number;
  abort: boolean;
}

function parse(rest: readonly string[]): Parsed | string {
  const p: Parsed = { tenant: "", abort: false };
  const positionals: string[] = [];
  const valued: Record<string, (v: string) => string | undefined> = {
    "--to": (v) => void (p.to = v),
    "--database": (v) => void (p.database = v),
    "--mongo-url": (v) => void (p.mongoUrl = v),
    "--bucket": (v) => void (p.bucket = v),
    "--kms-key": (v) => void (p.kmsKeyId = v),
    "--grace-ms": (v) => {
      const n = Number(v);
      p.graceMs = n;
      return Number.isInteger(n) && n >= 0 ? undefined : "--grace-ms must be a whole number";
    },
  };
  for (let i = 0; i < rest.length; i += 1) {
    const a = rest[i] as string;
    const setter = valued[a];
    if (setter !== undefined) {
      const v = rest[i + 1];
      i += 1;
      if (v === undefined) return `${a} needs a value`;
      const problem = setter(v);
      if (problem !== undefined) return problem;
    } else if (a === "--abort") p.abort = true;
    else if (a.startsWith("--")) return `unknown option ${a}`;
    else positionals.push(a);
  }
  if (positionals.length !== 1)
    return positionals.length === 0 ? "missing tenant" : `unexpected ${positionals[1]}`;
  p.tenant = positionals[0] as string;
  return p;
}

async function openHome(shared: Db, home: { database: string; mongoUrl?: string }) {
  if (home.mongoUrl === undefined)
    return { db: shared.client.db(home.database), close: async () => undefined };
  const client = new MongoClient(home.mongoUrl, { serverSelectionTimeoutMS: 5_000, retryWrites: false });
  await client.connect();
  return { db: client.db(home.database), close: () => client.close() };
}

/** The report of a finished move as table rows (pure). */
export function moveReportRows(rec: MoveRecord): string[][] {
  const names = [...new Set([...Object.keys(rec.before ?? {}), ...Object.keys(rec.after ?? {})])].sort();
  return names.map((n) => [
    n,
    String(rec.before?.[n]?.count ?? "-"),
    rec.before?.[n]?.sha256.slice(0, 16) ?? "-",
    String(rec.after?.[n]?.count ?? "-"),
    rec.after?.[n]?.sha256.slice(0, 16) ?? "-",
    String(rec.lateCopied?.[n] ?? 0),
    String(rec.deleted?.[n] ?? 0),
  ]);
}

export const MOVE_REPORT_HEADERS = ["collection", "before", "sha256", "after", "sha256", "late", "deleted"];

export async function moveCommand(
  direction: "promote" | "demote",
  rest: readonly string[],
  json: boolean,
  ctx: MoveCommandContext,
): Promise<number> {
  const p = parse(rest);
  if (typeof p === "string") {
    ctx.err(`tenants ${direction}: ${p}\n${USAGE}`);
    return 2;
  }
  const tenant = TenantIdSchema.safeParse(p.tenant);
  if (!tenant.success) {
    ctx.err(`tenants ${direction}: invalid tenant id ${JSON.stringify(p.tenant)}`);
    return 2;
  }
  const wantTo = direction === "promote" ? "dedicated" : "shared";
  if (!p.abort && p.to !== wantTo) {
    ctx.err(`tenants ${direction}: --to ${wantTo} is required\n${USAGE}`);
    return 2;
  }
  if (
    direction === "demote" &&
    (p.database !== undefined ||
      p.mongoUrl !== undefined ||
      p.bucket !== undefined ||
      p.kmsKeyId !== undefined)
  ) {
    ctx.err(`tenants demote: --database, --mongo-url, --bucket and --kms-key are for promote`);
    return 2;
  }
  const base: MoveDeps = {
    sharedDb: ctx.db,
    openHome: (home) => openHome(ctx.db, home),
    audit: ctx.audit,
    now: ctx.now,
    sleep: ctx.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    graceMs: p.graceMs ?? DEFAULT_MOVE_GRACE_MS,
    progress: (line) => ctx.err(line),
    ...(ctx.onSwitch !== undefined ? { onSwitch: ctx.onSwitch } : {}),
    ...(ctx.objects !== undefined ? { objects: ctx.objects } : {}),
  };
  let deps = base;
  try {
    if (p.abort) {
      const rec = await abortMove(deps, tenant.data);
      if (json) ctx.out(JSON.stringify({ ok: true, move: rec }, null, 2));
      return 0;
    }
    const planned = await planMove(deps, {
      tenant: tenant.data,
      direction,
      ...(p.database !== undefined ? { database: p.database } : {}),
      ...(p.mongoUrl !== undefined ? { mongoUrl: p.mongoUrl } : {}),
      ...(p.bucket !== undefined ? { bucket: p.bucket } : {}),
      ...(p.kmsKeyId !== undefined ? { kmsKeyId: p.kmsKeyId } : {}),
      actor: ctx.actor,
    });
    if (planned.objects !== undefined) {
      // Processes cache a tenant's placement and hold signed URLs: wait until both have run out.
      const urlTtlMs = ctx.objects?.signedUrlTtlMs ?? 0;
      deps = { ...base, graceMs: p.graceMs ?? objectMoveGraceMs(urlTtlMs) };
      const safeMs = PLACEMENT_TTL_MS + urlTtlMs;
      if (p.graceMs !== undefined && p.graceMs < safeMs)
        ctx.err(
          `warning: --grace-ms ${p.graceMs} is shorter than the placement cache (${PLACEMENT_TTL_MS} ms)${urlTtlMs > 0 ? ` plus the API's signed URL lifetime (${urlTtlMs} ms)` : ""}: objects written to the old bucket after the clean (by a process still on the old placement${urlTtlMs > 0 ? ", or through a URL signed for it before the switch" : ""}) stay behind there`,
        );
      else if (p.graceMs === undefined && urlTtlMs > 0)
        ctx.err(
          `waiting ${Math.ceil(deps.graceMs / 1000)} s after the switch: the placement cache (${PLACEMENT_TTL_MS / 1000} s) plus the API's signed URL lifetime (${urlTtlMs / 1000} s, SLUICE_API_URL_TTL_SECONDS)`,
        );
    }
    const rec = await runMove(deps, tenant.data);
    if (json) ctx.out(JSON.stringify({ ok: true, move: rec }, null, 2));
    else {
      ctx.out(
        `${tenant.data}: ${direction}d to ${rec.to.tier} database ${rec.to.database} (epoch ${rec.epoch ?? "-"}); counts and hashes verified${rec.objects !== undefined ? "; objects verified by count, size and encryption" : ""}`,
      );
      ctx.out(formatTable(MOVE_REPORT_HEADERS, moveReportRows(rec)));
      if (rec.droppedDatabase !== undefined) ctx.out(`dropped the emptied database ${rec.droppedDatabase}`);
      if (rec.objects !== undefined)
        ctx.out(
          `objects: ${rec.objects.verified?.count ?? 0} verified in ${describePlacement(rec.objects.to)} (${rec.objects.verified?.bytes ?? 0} bytes), ${rec.objects.late ?? 0} written during the move carried over, ${rec.objects.deleted ?? 0} deleted from ${describePlacement(rec.objects.from)}`,
        );
    }
    return 0;
  } catch (e) {
    if (!(e instanceof MoveError)) throw e;
    if (json) ctx.out(JSON.stringify({ ok: false, code: e.code, message: e.message }, null, 2));
    else ctx.err(`tenants ${direction}: ${e.message}`);
    return 1;
  }
}
