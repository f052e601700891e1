/**
 * `tenants audit <tenant> [--limit N] [--before ISO] [--json]`: the tenant's audit trail, newest
 * first (shared/audit/audit-log.ts). A table of when, who, action, target and change; `--json`
 * prints the entries as stored. Page back with `--before <the last row's time>`.
 */
import type { AuditLog, StoredAuditEntry } from "../../shared/audit/audit-log.ts";
import { MAX_AUDIT_LIMIT } from "../../shared/audit/audit-log.ts";
import { TenantIdSchema } from "../../shared/tenancy/tenant-id.ts";
import { formatTable } from "./table.ts";

export const AUDIT_HEADERS = ["when", "who", "action", "target", "change"] as const;

const MAX_CHANGE_CHARS = 160;

function short(value: unknown): string {
  if (value === undefined) return "-";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** `field: before → after` for every field of either side whose value differs; pure. */
export function describeChange(before: unknown, after: unknown): string {
  let text: string;
  if (isRecord(before) || isRecord(after)) {
    const b = isRecord(before) ? before : {};
    const a = isRecord(after) ? after : {};
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
    const parts = keys
      .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))
      .map((k) => `${k}: ${short(b[k])} → ${short(a[k])}`);
    text = parts.length > 0 ? parts.join("; ") : "-";
  } else if (before === undefined && after === undefined) text = "-";
  else text = `${short(before)} → ${short(after)}`;
  return text.length > MAX_CHANGE_CHARS ? `${text.slice(0, MAX_CHANGE_CHARS - 3)}...` : text;
}

/** One table row of an entry; pure. */
export function auditCells(e: StoredAuditEntry): string[] {
  return [
    e.at.toISOString(),
    `${e.actor.kind}:${e.actor.subject}`,
    e.action,
    e.target?.jobId !== undefined ? `job ${e.target.jobId}` : "tenant",
    describeChange(e.before, e.after),
  ];
}

export interface AuditCommandContext {
  readonly audit: Pick<AuditLog, "list">;
  readonly out: (t: string) => void;
  readonly err: (t: string) => void;
}

export async function auditCommand(
  rest: readonly string[],
  json: boolean,
  ctx: AuditCommandContext,
): Promise<number> {
  const usage = "usage: tenants audit <tenant> [--limit N] [--before ISO-TIME] [--json]";
  const positionals: string[] = [];
  let limit = 50;
  let before: Date | undefined;
  for (let i = 0; i < rest.length; i += 1) {
    const a = rest[i] as string;
    if (a === "--limit" || a === "--before") {
      const v = rest[i + 1];
      i += 1;
      if (v === undefined) {
        ctx.err(`tenants audit: ${a} needs a value\n${usage}`);
        return 2;
      }
      if (a === "--limit") {
        limit = Number(v);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT) {
          ctx.err(`tenants audit: --limit must be an integer from 1 to ${MAX_AUDIT_LIMIT}`);
          return 2;
        }
      } else {
        before = new Date(v);
        if (Number.isNaN(before.getTime())) {
          ctx.err(`tenants audit: --before ${JSON.stringify(v)} is not a time`);
          return 2;
        }
      }
    } else if (a.startsWith("--")) {
      ctx.err(`tenants audit: unknown option ${a}\n${usage}`);
      return 2;
    } else positionals.push(a);
  }
  const tenant = TenantIdSchema.safeParse(positionals[0]);
  if (!tenant.success || positionals.length !== 1) {
    ctx.err(
      `tenants audit: ${positionals[0] === undefined ? "missing tenant" : `invalid tenant id ${JSON.stringify(positionals[0])}`}\n${usage}`,
    );
    return 2;
  }
  const entries = await ctx.audit.list(tenant.data, { limit, ...(before !== undefined ? { before } : {}) });
  if (json) ctx.out(JSON.stringify({ tenant: tenant.data, entries }, null, 2));
  else if (entries.length === 0) ctx.out(`${tenant.data}: no audit entries`);
  else ctx.out(formatTable(AUDIT_HEADERS, entries.map(auditCells)));
  return 0;
}
