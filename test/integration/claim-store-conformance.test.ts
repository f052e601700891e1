import { MongoClaimStore } from "../../scheduler/shards/claim-store.ts";
import { MemoryClaimStore } from "../support/memory-claim-store.ts";
import { claimStoreConformanceSuite } from "./helpers/claim-store-conformance.ts";
import { testDatabase } from "./helpers/mongo.ts";

claimStoreConformanceSuite("in-memory store", () => ({ store: new MemoryClaimStore() }));

claimStoreConformanceSuite("MongoDB adapter", async () => {
  const t = await testDatabase("claims");
  return { store: new MongoClaimStore(t.db), close: () => t.drop() };
});
