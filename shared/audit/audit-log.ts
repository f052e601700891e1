/**
 * The audit trail (issue 12): every operator and API action that changes state — a quota edit, a
 * review decision, a cancel, a retry, a promotion, an offboarding — is appended here with who did
 * it (a token's subject, the OS user of a CLI, or Sluice itself), what, on which job, when, and the
 * changed fields before and after.
 *
 * The `audit` collection is fleet-level: it lives in the shared database whatever the tenant's tier,
 * so it survives moving a tenant between homes and offboarding it (which deletes everything else of
 * the tenant). Entries are only ever appended, with the durable write concern (majority, journaled:
 * ADR 0006), and never changed. Every read names the tenant. This module is the one place that
 * touches the raw collection.
 */
import { randomBytes } from "node:crypto";
import type { Db } from "mongodb";
import { z } from "zod";
import { newJobId } from "../jobs/job-id.ts";
import { COLLECTIONS } from "../mongo/collections.ts";
import { durable } from "../mongo/write-concern.ts";
import { TenantIdSchema, type TenantId } from "../tenancy/tenant-id.ts";

export const AUDIT_ACTOR_KINDS = ["token", "os", "system"] as const;

export const AuditActorSchema = z.object({
  kind: z.enum(AUDIT_ACTOR_KINDS),
  subject: z.string().min(1).max(256),
});

/** Who acted: a JWT's `sub` (`token`), the OS user running a CLI (`os`), or Sluice itself (`system`). */
export type AuditActor = z.infer<typeof AuditActorSchema>;

/** Known actions; the type stays open (`string`) so a newer writer's entries still read. */
export const AUDIT_ACTIONS = [
  "quota.set",
  "job.cancel",
  "job.retry",
  "review.approve",
  "review.reject",
  "tenant.promote",
  "tenant.demote",
  "tenant.offboard",
] as const;
export type KnownAuditAction = (typeof AUDIT_ACTIONS)[number];

export const AuditEntrySchema = z.object({
  tenantId: TenantIdSchema,
  actor: AuditActorSchema,
  action: z.string().min(1).max(64),
  target: z.object({ jobId: z.string().min(1).max(200).optional() }).optional(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  at: z.date(),
});

export interface AuditEntry {
  tenantId: TenantId;
  actor: AuditActor;
  action: KnownAuditAction | (string & {});
  target?: { jobId?: string };
  before?: unknown;
  after?: unknown;
  at: Date;
}

/** An entry as stored: with its id (time-ordered, so ties on `at` still list in append order). */
export interface StoredAuditEntry extends AuditEntry {
  id: string;
}

export interface AuditListOptions {
  /** At most this many entries (default 50, at most 1,000). */
  limit?: number;
  /** Only entries strictly older than this (page backwards with the last entry's `at`). */
  before?: Date;
}

export interface AuditLog {
  /** Appends one entry, acknowledged only once durable. Rejects an invalid entry before writing. */
  append(entry: AuditEntry): Promise<void>;
  /** The tenant's entries, newest first. */
  list(tenant: TenantId, options?: AuditListOptions): Promise<StoredAuditEntry[]>;
}

export const DEFAULT_AUDIT_LIMIT = 50;
export const MAX_AUDIT_LIMIT = 1_000;

interface AuditDoc extends Omit<AuditEntry, "target" | "before" | "after"> {
  _id: string;
  target?: { jobId?: string };
  before?: unknown;
  after?: unknown;
}

export interface AuditLogOptions {
  /** Random bytes for entry ids (tests); default crypto. */
  random?: (n: number) => Uint8Array;
}

/** The audit trail over the shared database `db` (never a dedicated tenant database). */
export function createAuditLog(db: Db, options: AuditLogOptions = {}): AuditLog {
  const audit = db.collection<AuditDoc>(COLLECTIONS.audit);
  const random = options.random ?? randomBytes;
  return {
    async append(entry) {
      const e = AuditEntrySchema.parse(entry);
      const doc: AuditDoc = {
        _id: newJobId(e.at.getTime(), random),
        tenantId: e.tenantId,
        actor: { kind: e.actor.kind, subject: e.actor.subject },
        action: e.action,
        at: e.at,
        ...(e.target !== undefined ? { target: e.target } : {}),
        ...(e.before !== undefined ? { before: e.before } : {}),
        ...(e.after !== undefined ? { after: e.after } : {}),
      };
      await audit.insertOne(doc, durable());
    },
    async list(tenant, opts = {}) {
      const t = TenantIdSchema.parse(tenant);
      const limit = Math.min(Math.max(1, Math.trunc(opts.limit ?? DEFAULT_AUDIT_LIMIT)), MAX_AUDIT_LIMIT);
      const filter = opts.before === undefined ? { tenantId: t } : { tenantId: t, at: { $lt: opts.before } };
      const rows = await audit.find(filter, { sort: { at: -1, _id: -1 }, limit }).toArray();
      return rows.map((r) => {
        const { _id, ...rest } = r;
        return { id: _id, ...rest } as StoredAuditEntry;
      });
    },
  };
}

/** The actor of a CLI run: the OS user (`os.userInfo().username`, else `$USER`, else "unknown"). */
export async function osActor(): Promise<AuditActor> {
  const { userInfo } = await import("node:os");
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    name = process.env["USER"];
  }
  return { kind: "os", subject: name && name.length > 0 ? name : "unknown" };
}

/** The fields of `changed` as they are in `doc` (missing ones as `null`), for an entry's before/after. */
export function pickFields(
  doc: Record<string, unknown> | null,
  changed: readonly string[],
): Record<string, unknown> {
  return Object.fromEntries(changed.map((k) => [k, doc === null || doc[k] === undefined ? null : doc[k]]));
}

/** Values larger than this (JSON bytes) are recorded as `{ bytes, sha256 }` instead of in full. */
export const AUDIT_VALUE_MAX_BYTES = 4_096;

/** `value` itself when small, else a summary that still identifies it. */
export async function auditValue(value: unknown): Promise<unknown> {
  const json = JSON.stringify(value ?? null);
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes <= AUDIT_VALUE_MAX_BYTES) return value ?? null;
  const { createHash } = await import("node:crypto");
  return { bytes, sha256: createHash("sha256").update(json).digest("hex"), truncated: true };
}
