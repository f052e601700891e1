import { describe, expect, it } from "vitest";
import { dividedEvenly } from "../../../../scheduler/shards/assign.ts";

describe("dividedEvenly: the scheduler replicas have divided the tenants", () => {
  it("needs every tenant owned, by as many replicas as can share them, none over its even share", () => {
    const two = (a: string | null, b: string | null, c: string | null) =>
      new Map([
        ["small-co", a],
        ["bulk-corp", b],
        ["enterprise", c],
      ]);
    expect(dividedEvenly(two("s1", "s2", "s2"), 2)).toBe(true);
    // The first replica still holds all three (the second has not joined yet).
    expect(dividedEvenly(two("s1", "s1", "s1"), 2)).toBe(false);
    // A tenant between owners (its lease released, not yet taken).
    expect(dividedEvenly(two("s1", null, "s2"), 2)).toBe(false);
    expect(dividedEvenly(two("s1", "s1", "s1"), 1)).toBe(true);
    // More replicas than tenants: each tenant on a replica of its own.
    expect(dividedEvenly(two("s1", "s2", "s3"), 4)).toBe(true);
    expect(dividedEvenly(two("s1", "s1", "s3"), 4)).toBe(false);
  });
});
