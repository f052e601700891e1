/**
 * The MongoDB adapter of scheduler ownership: the fleet-level `scheduler_leases` collection (shared
 * database, not tenant data; the one module that touches it). Two kinds of documents:
 *
 *   { _id: "tenant:<tenantId>", kind: "tenant", tenantId, owner: string | null, expiresAt, fence, at }
 *   { _id: "replica:<replicaId>", kind: "replica", replicaId, at, expiresAt, weight, owned }
 *
 * A tenant lease changes hands only by compare-and-set: taking it restates, in the filter, the fence
 * read and the condition that made it takeable (free, expired, or this replica's own) and increments
 * the fence; releasing and renewing are fenced by the owner. A replica document is its heartbeat
 * (with the backlogged weight it publishes for the slot division). Times are epoch ms of the writer's
 * clock; every document is validated on read (an invalid one is skipped and counted).
 */
import type { Collection, Db } from "mongodb";
import { z } from "zod";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { isDuplicateKeyError } from "../../shared/mongo/errors.ts";
import { TenantIdSchema } from "../../shared/tenancy/tenant-id.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { LeaseView } from "./lease-plan.ts";

const epochMs = z.number().int().min(0);

export const TenantLeaseDocSchema = z.object({
  kind: z.literal("tenant"),
  tenantId: TenantIdSchema,
  owner: z.string().min(1).nullable(),
  expiresAt: epochMs,
  fence: z.number().int().min(0),
  at: epochMs.optional(),
});

export const ReplicaDocSchema = z.object({
  kind: z.literal("replica"),
  replicaId: z.string().min(1),
  at: epochMs,
  expiresAt: epochMs,
  weight: z.number().min(0),
  owned: z.number().int().min(0),
});

export type TenantLeaseDoc = z.output<typeof TenantLeaseDocSchema>;
export type ReplicaDoc = z.output<typeof ReplicaDocSchema>;

/** Both kinds as stored (validated on read by the schemas above). */
interface LeaseDoc {
  _id: string;
  kind: "tenant" | "replica";
  tenantId?: string;
  owner?: string | null;
  fence?: number;
  replicaId?: string;
  weight?: number;
  owned?: number;
  expiresAt?: number;
  at?: number;
}

export const tenantLeaseId = (tenant: TenantId) => `tenant:${tenant}`;
const replicaDocId = (replica: string) => `replica:${replica}`;

export interface LeaseStore {
  heartbeat(doc: Omit<ReplicaDoc, "kind">): Promise<void>;
  removeReplica(replicaId: string): Promise<void>;
  replicas(): Promise<ReplicaDoc[]>;
  /** Every tenant lease, or only those of `tenants` (one query either way). */
  leases(tenants?: readonly TenantId[]): Promise<Map<TenantId, LeaseView>>;
  /** Takes the lease if it is still as read (`fence`; null: no document yet); the new fence, or null. */
  acquire(
    tenant: TenantId,
    fence: number | null,
    owner: string,
    now: number,
    expiresAt: number,
  ): Promise<number | null>;
  /** Moves the expiry of every unexpired lease `owner` holds; how many matched. */
  renewAll(owner: string, now: number, expiresAt: number): Promise<number>;
  /** `owner`'s leases as stored (after a renewal that matched fewer than expected). */
  leasesOf(owner: string): Promise<Map<TenantId, LeaseView>>;
  /** Frees the lease if `owner` still holds it with `fence`; true when it did. */
  release(tenant: TenantId, owner: string, fence: number, now: number): Promise<boolean>;
  /**
   * Deletes the heartbeats of `replicaIds` that expired before `before` (a replica that heartbeated
   * since is left alone); how many went.
   */
  pruneReplicas(replicaIds: readonly string[], before: number): Promise<number>;
}

export class MongoLeaseStore implements LeaseStore {
  readonly #docs: Collection<LeaseDoc>;
  /** Documents skipped as invalid by the last reads. */
  invalid = 0;

  constructor(db: Db) {
    this.#docs = db.collection<LeaseDoc>(COLLECTIONS.schedulerLeases);
  }

  async heartbeat(doc: Omit<ReplicaDoc, "kind">): Promise<void> {
    const beat = ReplicaDocSchema.parse({ ...doc, kind: "replica" });
    await this.#docs.updateOne({ _id: replicaDocId(beat.replicaId) }, { $set: beat }, { upsert: true });
  }

  async removeReplica(replicaId: string): Promise<void> {
    await this.#docs.deleteOne({ _id: replicaDocId(replicaId), kind: "replica" });
  }

  async pruneReplicas(replicaIds: readonly string[], before: number): Promise<number> {
    if (replicaIds.length === 0) return 0;
    const res = await this.#docs.deleteMany({
      _id: { $in: replicaIds.map(replicaDocId) },
      kind: "replica",
      expiresAt: { $lt: before },
    });
    return res.deletedCount;
  }

  async replicas(): Promise<ReplicaDoc[]> {
    const out: ReplicaDoc[] = [];
    for (const d of await this.#docs.find({ kind: "replica" }).toArray()) {
      const p = ReplicaDocSchema.safeParse(d);
      if (p.success) out.push(p.data);
      else this.invalid += 1;
    }
    return out;
  }

  leases(tenants?: readonly TenantId[]): Promise<Map<TenantId, LeaseView>> {
    if (tenants === undefined) return this.#read({ kind: "tenant" });
    return this.#read({ _id: { $in: tenants.map(tenantLeaseId) }, kind: "tenant" });
  }

  leasesOf(owner: string): Promise<Map<TenantId, LeaseView>> {
    return this.#read({ kind: "tenant", owner });
  }

  async #read(filter: Record<string, unknown>): Promise<Map<TenantId, LeaseView>> {
    const out = new Map<TenantId, LeaseView>();
    for (const d of await this.#docs.find(filter).toArray()) {
      const p = TenantLeaseDocSchema.safeParse(d);
      if (!p.success) {
        this.invalid += 1;
        continue;
      }
      out.set(p.data.tenantId, { owner: p.data.owner, expiresAt: p.data.expiresAt, fence: p.data.fence });
    }
    return out;
  }

  async acquire(
    tenant: TenantId,
    fence: number | null,
    owner: string,
    now: number,
    expiresAt: number,
  ): Promise<number | null> {
    if (fence === null) {
      try {
        await this.#docs.insertOne({
          _id: tenantLeaseId(tenant),
          kind: "tenant",
          tenantId: tenant,
          owner,
          expiresAt,
          fence: 1,
          at: now,
        });
        return 1;
      } catch (err) {
        if (isDuplicateKeyError(err)) return null; // another replica inserted it first
        throw err;
      }
    }
    const res = await this.#docs.updateOne(
      {
        _id: tenantLeaseId(tenant),
        kind: "tenant",
        tenantId: tenant,
        fence,
        $or: [{ owner: null }, { owner }, { expiresAt: { $lte: now } }],
      },
      { $set: { owner, expiresAt, at: now }, $inc: { fence: 1 } },
    );
    return res.modifiedCount === 1 ? fence + 1 : null;
  }

  async renewAll(owner: string, now: number, expiresAt: number): Promise<number> {
    const res = await this.#docs.updateMany(
      { kind: "tenant", owner, expiresAt: { $gt: now } },
      { $set: { expiresAt, at: now } },
    );
    return res.matchedCount;
  }

  async release(tenant: TenantId, owner: string, fence: number, now: number): Promise<boolean> {
    const res = await this.#docs.updateOne(
      { _id: tenantLeaseId(tenant), kind: "tenant", tenantId: tenant, owner, fence },
      { $set: { owner: null, expiresAt: now, at: now } },
    );
    return res.modifiedCount === 1;
  }
}
