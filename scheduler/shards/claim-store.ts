/**
 * The MongoDB adapter of the slot division's claims (ADR 0029): the fleet-level `scheduler_claims`
 * collection (shared database, not tenant data; the one module that touches it). One document per
 * scheduler replica, replaced whole at each publication:
 *
 *   { _id: <replicaId>, replicaId, at, expiresAt, claims: [{ tenant, claim, basis? }] }
 *
 * `claims` lists the tenants the replica owns that could take a release (`tenant-claims.ts`); a
 * replica with none publishes an empty list. `basis`, on a claim below the tenant's cap, is the
 * tenant's release count of the day that the claim already accounts for (`publishedClaimNow`). Times
 * are epoch ms of the writer's clock; a document is validated on read (an invalid one is skipped and
 * counted).
 */
import type { Collection, Db } from "mongodb";
import { z } from "zod";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { TenantIdSchema } from "../../shared/tenancy/tenant-id.ts";

const epochMs = z.number().int().min(0);

export const ClaimDocSchema = z.object({
  replicaId: z.string().min(1),
  at: epochMs,
  expiresAt: epochMs,
  claims: z.array(
    z.object({
      tenant: TenantIdSchema,
      claim: z.number().int().min(0),
      basis: z.number().int().min(0).optional(),
    }),
  ),
});
export type ClaimDoc = z.output<typeof ClaimDocSchema>;

export interface ClaimStore {
  publish(doc: ClaimDoc): Promise<void>;
  /** Every replica's document as stored. */
  read(): Promise<ClaimDoc[]>;
  remove(replicaId: string): Promise<void>;
  /** Deletes documents that expired before `before`; how many went. */
  prune(before: number): Promise<number>;
}

export class MongoClaimStore implements ClaimStore {
  readonly #docs: Collection<ClaimDoc & { _id: string }>;
  /** Documents skipped as invalid by the reads. */
  invalid = 0;

  constructor(db: Db) {
    this.#docs = db.collection<ClaimDoc & { _id: string }>(COLLECTIONS.schedulerClaims);
  }

  async publish(doc: ClaimDoc): Promise<void> {
    const d = ClaimDocSchema.parse(doc);
    await this.#docs.replaceOne({ _id: d.replicaId }, d, { upsert: true });
  }

  async read(): Promise<ClaimDoc[]> {
    const out: ClaimDoc[] = [];
    for (const d of await this.#docs.find({}).toArray()) {
      const p = ClaimDocSchema.safeParse(d);
      if (p.success) out.push(p.data);
      else this.invalid += 1;
    }
    return out;
  }

  async remove(replicaId: string): Promise<void> {
    await this.#docs.deleteOne({ _id: replicaId });
  }

  async prune(before: number): Promise<number> {
    return (await this.#docs.deleteMany({ expiresAt: { $lt: before } })).deletedCount;
  }
}
