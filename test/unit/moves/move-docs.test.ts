import { describe, expect, it } from "vitest";
import {
  DigestAccumulator,
  digestMismatches,
  digestOf,
  fenceOp,
  unfence,
  unfenceUpdate,
} from "../../../scheduler/moves/move-docs.ts";
import { isMovingPhase, MOVE_PHASES } from "../../../shared/moves/move-record.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";

const acme = tenantId("acme");

describe("fence", () => {
  it("restates tenant, version and status; hides the tenant id and the status", () => {
    const op = fenceOp({ _id: "j1", tenantId: "acme", status: "running", version: 4 }, acme, "m1");
    expect(op.filter).toEqual({ _id: "j1", tenantId: "acme", version: 4, status: "running" });
    expect(op.update).toEqual({
      $set: { tenantId: "~acme", moveFence: { moveId: "m1", status: "running" } },
      $unset: { status: "" },
    });
    const counter = fenceOp({ _id: "u", tenantId: "acme", running: 2 }, acme, "m1");
    expect(counter.filter).toEqual({ _id: "u", tenantId: "acme" });
    expect(counter.update).toEqual({ $set: { tenantId: "~acme", moveFence: { moveId: "m1" } } });
  });

  it("unfence gives back the document as it was; an unfenced one is returned as is", () => {
    const original = { _id: "j1", tenantId: "acme", status: "queued", version: 2, at: new Date(5) };
    const fenced = {
      _id: "j1",
      tenantId: "~acme",
      version: 2,
      at: new Date(5),
      moveFence: { moveId: "m", status: "queued" },
    };
    expect(unfence(fenced, acme)).toEqual(original);
    expect(digestOf(unfence(fenced, acme))).toBe(digestOf(original));
    expect(unfence(original, acme)).toBe(original);
    expect(unfenceUpdate(fenced, acme)).toEqual({
      $set: { tenantId: "acme", status: "queued" },
      $unset: { moveFence: "" },
    });
  });
});

describe("digests", () => {
  it("ignore key and document order, keep types and values", () => {
    const a = { _id: "1", n: 1, nested: { x: 1, y: [1, 2] } };
    const b = { nested: { y: [1, 2], x: 1 }, n: 1, _id: "1" };
    expect(digestOf(a)).toBe(digestOf(b));
    expect(digestOf({ at: new Date(0) })).not.toBe(digestOf({ at: new Date(0).toISOString() }));
    expect(digestOf({ n: 1 })).not.toBe(digestOf({ n: 2 }));
    expect(digestOf({ y: [1, 2] })).not.toBe(digestOf({ y: [2, 1] }));
    const one = new DigestAccumulator();
    const two = new DigestAccumulator();
    [a, { _id: "2" }].forEach((d) => one.add(d));
    [{ _id: "2" }, b].forEach((d) => two.add(d));
    expect(one.result()).toEqual(two.result());
    expect(one.result().count).toBe(2);
    const three = new DigestAccumulator();
    three.add(a);
    expect(three.result().sha256).not.toBe(one.result().sha256);
  });

  it("mismatches name every collection that differs or exists on one side", () => {
    const d = (count: number, sha256: string) => ({ count, sha256 });
    expect(
      digestMismatches({ jobs: d(1, "a"), usage: d(1, "b") }, { jobs: d(1, "a"), usage: d(1, "b") }),
    ).toEqual([]);
    expect(
      digestMismatches({ jobs: d(1, "a"), usage: d(1, "b") }, { jobs: d(2, "a"), llm: d(0, "") }),
    ).toEqual(["jobs", "llm", "usage"]);
  });

  it("a tenant is moving from its fence until done or aborted", () => {
    expect(MOVE_PHASES.filter(isMovingPhase)).toEqual([
      "fenced",
      "copied",
      "verified",
      "switched",
      "drained",
      "cleaned",
    ]);
    expect(isMovingPhase("aborted")).toBe(false);
  });
});
