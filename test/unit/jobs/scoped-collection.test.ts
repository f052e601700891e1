import { describe, expect, it } from "vitest";
import type { Collection } from "mongodb";
import {
  TenantScopeError,
  checkUpdate,
  scopeFilter,
  scopePipeline,
  scopedCollection,
} from "../../../shared/tenancy/scoped-collection.ts";
import type { TenantOwned } from "../../../shared/tenancy/scoped-collection.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import type { TenantId } from "../../../shared/tenancy/tenant-id.ts";

const A = tenantId("acme");

describe("scopeFilter", () => {
  it("adds the tenant to every filter", () => {
    expect(scopeFilter(undefined, A)).toEqual({ tenantId: "acme" });
    expect(scopeFilter<TenantOwned>({ status: "queued" } as never, A)).toEqual({
      status: "queued",
      tenantId: "acme",
    });
    expect(scopeFilter<TenantOwned>({ $or: [{ a: 1 }, { b: 2 }] } as never, A)).toEqual({
      $or: [{ a: 1 }, { b: 2 }],
      tenantId: "acme",
    });
  });

  it("accepts a filter that names the same tenant", () => {
    expect(scopeFilter({ tenantId: "acme" }, A)).toEqual({ tenantId: "acme" });
    expect(scopeFilter({ tenantId: { $eq: "acme" } }, A)).toEqual({ tenantId: "acme" });
  });

  it.each([
    ["another tenant", { tenantId: "other" }],
    ["$in of tenants", { tenantId: { $in: ["acme", "other"] } }],
    ["$ne", { tenantId: { $ne: "acme" } }],
    ["$exists", { tenantId: { $exists: true } }],
    ["another tenant inside $or", { $or: [{ tenantId: "other" }, { x: 1 }] }],
    ["another tenant nested in $and/$nor", { $and: [{ $nor: [{ tenantId: "other" }] }] }],
    ["$or that is not an array", { $or: { tenantId: "other" } }],
  ])("refuses %s", (_name, filter) => {
    expect(() => scopeFilter(filter as never, A)).toThrow(TenantScopeError);
  });
});

describe("checkUpdate", () => {
  it("allows updates that leave tenantId alone or set the same one", () => {
    expect(() => checkUpdate({ $set: { status: "running" }, $inc: { version: 1 } }, A)).not.toThrow();
    expect(() => checkUpdate({ $setOnInsert: { tenantId: "acme" } }, A)).not.toThrow();
    expect(() => checkUpdate({ $set: { tenantIdx: 1 } }, A)).not.toThrow();
  });

  it.each([
    ["$set of another tenant", { $set: { tenantId: "other" } }],
    ["$setOnInsert of another tenant", { $setOnInsert: { tenantId: "other" } }],
    ["$unset", { $unset: { tenantId: "" } }],
    ["$rename away", { $rename: { tenantId: "t" } }],
    ["$rename onto", { $rename: { other: "tenantId" } }],
    ["nested path", { $set: { "tenantId.x": 1 } }],
    ["$inc", { $inc: { tenantId: 1 } }],
    ["replacement", { tenantId: "acme", status: "x" }],
    ["pipeline", [{ $set: { tenantId: "other" } }]],
  ])("refuses %s", (_name, update) => {
    expect(() => checkUpdate(update, A)).toThrow(TenantScopeError);
  });
});

describe("scopePipeline", () => {
  it("prepends a $match on the tenant, or scopes a leading $match", () => {
    expect(scopePipeline([{ $count: "n" }], A)).toEqual([{ $match: { tenantId: "acme" } }, { $count: "n" }]);
    expect(scopePipeline([{ $match: { status: "queued" } }, { $count: "n" }], A)).toEqual([
      { $match: { status: "queued", tenantId: "acme" } },
      { $count: "n" },
    ]);
    expect(() => scopePipeline([{ $match: { tenantId: "other" } }], A)).toThrow(TenantScopeError);
  });

  it.each(["$lookup", "$graphLookup", "$unionWith", "$out", "$merge", "$documents"])(
    "refuses %s, also inside $facet",
    (stage) => {
      expect(() => scopePipeline([{ [stage]: {} }], A)).toThrow(TenantScopeError);
      expect(() => scopePipeline([{ $facet: { f: [{ [stage]: {} }] } }], A)).toThrow(TenantScopeError);
    },
  );
});

describe("scopedCollection", () => {
  const fake = { collectionName: "jobs" } as unknown as Collection<TenantOwned>;

  it("refuses a forged tenant id", () => {
    expect(() => scopedCollection(fake, "Not A Tenant" as TenantId)).toThrow(TenantScopeError);
    expect(() => scopedCollection(fake, undefined as unknown as TenantId)).toThrow(TenantScopeError);
    expect(scopedCollection(fake, A).tenantId).toBe("acme");
  });
});
