/**
 * A tenant's move between homes (promotion to the dedicated tier, demotion to the shared one) as
 * recorded in the fleet-level `tenant_moves` collection: one document per tenant (`_id` = tenant id),
 * written by the mover (scheduler/moves/) after every phase so a killed move resumes where it
 * stopped. Workers read it (`isMoving`): a job that cannot be found while its tenant is moving is
 * in flight between homes, not missing (docs/adr/0021-tenant-moves-audit-offboarding.md).
 *
 * The fence: while a tenant moves, its documents in the OLD home carry `tenantId: "~<tenant>"` (no
 * tenant id can start with `~`, so no scoped collection reaches them: a CAS write there matches
 * nothing, a read finds nothing) and their `status` is kept in `moveFence.status` (so no sweeper
 * query matches them). This module is the one place that knows the fence's shape.
 */
import type { Db } from "mongodb";
import { z } from "zod";
import { COLLECTIONS } from "../mongo/collections.ts";
import { TenantIdSchema, type TenantId } from "../tenancy/tenant-id.ts";

/** In order. A move goes forward one phase at a time; `aborted` ends a move undone before its switch. */
export const MOVE_PHASES = [
  "planned",
  "fenced",
  "copied",
  "verified",
  "switched",
  "drained",
  "cleaned",
  "done",
] as const;
export type MovePhase = (typeof MOVE_PHASES)[number] | "aborted";

export const MoveHomeSchema = z.object({
  tier: z.enum(["shared", "dedicated"]),
  /** The database holding the tenant's data in this home. */
  database: z.string().min(1).max(63),
  /** A MongoDB of its own; absent: the fleet's. */
  mongoUrl: z.string().min(1).optional(),
});
export type MoveHome = z.infer<typeof MoveHomeSchema>;

/** Count and content hash of one collection's documents of the tenant (scheduler/moves/content-hash.ts). */
export const CollectionDigestSchema = z.object({ count: z.int().nonnegative(), sha256: z.string() });
export type CollectionDigest = z.infer<typeof CollectionDigestSchema>;

/** Where a tenant's objects live, as its tenant document says (`storage.bucket` absent: the fleet bucket). */
export const MovePlacementSchema = z.object({
  bucket: z.string().min(1).optional(),
  kmsKeyId: z.string().min(1).optional(),
});
export type MovePlacement = z.infer<typeof MovePlacementSchema>;

/** The objects part of a move that changes the tenant's placement (ADR 0022, "Moving objects"). */
export const MoveObjectsSchema = z.object({
  from: MovePlacementSchema,
  to: MovePlacementSchema,
  /** Copied by the copy phase (all runs). */
  copied: z.int().nonnegative().optional(),
  /** Checked in the new placement by the verification: count and bytes. */
  verified: z.object({ count: z.int().nonnegative(), bytes: z.int().nonnegative() }).optional(),
  /** Written to the old placement after the copy and carried over (verification, drain, clean). */
  late: z.int().nonnegative().optional(),
  deleted: z.int().nonnegative().optional(),
});
export type MoveObjects = z.infer<typeof MoveObjectsSchema>;

export const MoveRecordSchema = z.object({
  _id: TenantIdSchema,
  moveId: z.string().min(1),
  direction: z.enum(["promote", "demote"]),
  from: MoveHomeSchema,
  to: MoveHomeSchema,
  phase: z.enum([...MOVE_PHASES, "aborted"]),
  actor: z.object({ kind: z.enum(["token", "os", "system"]), subject: z.string() }),
  startedAt: z.date(),
  updatedAt: z.date(),
  /** The tenant document's version written by the switch: the routing epoch of the new home. */
  epoch: z.int().nonnegative().optional(),
  switchedAt: z.date().optional(),
  /** Per collection, as fenced in the old home (before) and as copied into the new one (after). */
  before: z.record(z.string(), CollectionDigestSchema).optional(),
  after: z.record(z.string(), CollectionDigestSchema).optional(),
  /** Documents written to the old home by processes still routing there after the fence, carried over. */
  lateCopied: z.record(z.string(), z.int().nonnegative()).optional(),
  /** Late documents not carried over (duplicates of documents already in the new home). */
  lateDropped: z.record(z.string(), z.int().nonnegative()).optional(),
  deleted: z.record(z.string(), z.int().nonnegative()).optional(),
  droppedDatabase: z.string().optional(),
  /** Present when the move changes where the tenant's objects live (bucket or KMS key). */
  objects: MoveObjectsSchema.optional(),
  verifyFailures: z.int().nonnegative().default(0),
  error: z.string().optional(),
});
export type MoveRecord = z.infer<typeof MoveRecordSchema>;

/** The `tenantId` a fenced document carries in the old home. Never a valid tenant id. */
export function fencedTenantId(tenant: TenantId): string {
  return `~${tenant}`;
}

/** A move is in flight from its fence until it is done (or aborted). */
export function isMovingPhase(phase: MovePhase): boolean {
  return phase !== "planned" && phase !== "done" && phase !== "aborted";
}

/** Whether `tenant` is between homes now (read from `tenant_moves` in the shared database). */
export async function isMoving(sharedDb: Db, tenant: TenantId): Promise<boolean> {
  const doc = await sharedDb
    .collection<{ _id: string; phase: MovePhase }>(COLLECTIONS.tenantMoves)
    .findOne({ _id: tenant }, { projection: { phase: 1 } });
  return doc !== null && isMovingPhase(doc.phase);
}

/**
 * While `tenant`'s objects move between placements (a move with `objects`, from its copy until it is
 * done or aborted), the move's other bucket than `missedIn`; otherwise undefined. The blob store
 * asks it after a read found nothing (shared/aws/s3.ts `duringMove`). `fleetBucket` resolves a
 * placement without a bucket.
 */
export async function otherMoveBucket(
  sharedDb: Db,
  tenant: TenantId,
  missedIn: string,
  fleetBucket: string,
): Promise<string | undefined> {
  const doc = await sharedDb
    .collection<{ _id: string; phase: MovePhase; objects?: MoveObjects }>(COLLECTIONS.tenantMoves)
    .findOne({ _id: tenant }, { projection: { phase: 1, objects: 1 } });
  if (doc === null || doc.objects === undefined || !isMovingPhase(doc.phase)) return undefined;
  const from = doc.objects.from.bucket ?? fleetBucket;
  const to = doc.objects.to.bucket ?? fleetBucket;
  if (from === to) return undefined;
  return missedIn === from ? to : missedIn === to ? from : undefined;
}
