import { describe, expect, it } from "vitest";
import { objectMoveGraceMs } from "../../../scheduler/cli/tenants-move.ts";
import { PLACEMENT_TTL_MS } from "../../../shared/tenancy/storage-placement.ts";

describe("objectMoveGraceMs (the default wait after a switch when objects move)", () => {
  it("outlasts the placement cache plus the API's signed URLs, so no upload lands after the clean", () => {
    expect(PLACEMENT_TTL_MS).toBe(30_000);
    expect(objectMoveGraceMs(300_000)).toBe(330_000);
    expect(objectMoveGraceMs(3_600_000)).toBe(3_630_000);
  });

  it("is at least twice the placement cache (no signed URLs, or short ones)", () => {
    expect(objectMoveGraceMs()).toBe(60_000);
    expect(objectMoveGraceMs(10_000)).toBe(60_000);
    expect(objectMoveGraceMs(-5)).toBe(60_000);
  });
});
