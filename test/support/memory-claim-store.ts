import type { ClaimDoc, ClaimStore } from "../../scheduler/shards/claim-store.ts";

/**
 * In-memory `ClaimStore` (one document per replica), for unit tests. The behaviour it shares with
 * `MongoClaimStore` is checked by one suite against both (`claim-store-conformance.test.ts`).
 * `writes` / `reads` count successful calls; `failNext` makes the next publish fail as a network
 * error would.
 */
export class MemoryClaimStore implements ClaimStore {
  readonly docs = new Map<string, ClaimDoc>();
  writes = 0;
  reads = 0;
  failNext = false;

  async publish(doc: ClaimDoc): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw Object.assign(new Error("down"), { name: "MongoNetworkError" });
    }
    this.writes += 1;
    this.docs.set(doc.replicaId, structuredClone(doc));
  }

  async read(): Promise<ClaimDoc[]> {
    this.reads += 1;
    return [...this.docs.values()].map((d) => structuredClone(d));
  }

  async remove(replicaId: string): Promise<void> {
    this.docs.delete(replicaId);
  }

  async prune(before: number): Promise<number> {
    let n = 0;
    for (const [id, d] of this.docs) if (d.expiresAt < before && this.docs.delete(id)) n += 1;
    return n;
  }
}
