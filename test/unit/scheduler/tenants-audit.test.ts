import { describe, expect, it } from "vitest";
import { auditCells, describeChange } from "../../../scheduler/cli/tenants-audit.ts";
import { auditValue, pickFields } from "../../../shared/audit/audit-log.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";

describe("audit table", () => {
  it("describes only the fields that changed, either side missing as -", () => {
    expect(describeChange({ weight: 1, status: "active" }, { weight: 4, status: "active" })).toBe(
      "weight: 1 → 4",
    );
    expect(describeChange({ status: "failed" }, { status: "queued", from: "start" })).toBe(
      "status: failed → queued; from: - → start",
    );
    expect(describeChange(undefined, undefined)).toBe("-");
    expect(describeChange({ rate: { perSecond: 1 } }, { rate: null })).toBe('rate: {"perSecond":1} → null');
    expect(describeChange("a".repeat(500), "b").length).toBeLessThanOrEqual(160);
  });

  it("a row: time, kind:subject, action, job or tenant, change", () => {
    const cells = auditCells({
      id: "x",
      tenantId: tenantId("acme"),
      actor: { kind: "token", subject: "user-1" },
      action: "job.cancel",
      target: { jobId: "01J" },
      before: { status: "running" },
      after: { status: "cancelled" },
      at: new Date("2026-12-05T01:00:00Z"),
    });
    expect(cells).toEqual([
      "2026-12-05T01:00:00.000Z",
      "token:user-1",
      "job.cancel",
      "job 01J",
      "status: running → cancelled",
    ]);
  });

  it("pickFields and auditValue keep entries small", async () => {
    expect(pickFields({ a: 1, b: 2 }, ["a", "c"])).toEqual({ a: 1, c: null });
    expect(pickFields(null, ["a"])).toEqual({ a: null });
    expect(await auditValue({ x: 1 })).toEqual({ x: 1 });
    const big = (await auditValue({ text: "y".repeat(10_000) })) as Record<string, unknown>;
    expect(big).toMatchObject({ truncated: true, bytes: 10_011 });
    expect(big["sha256"]).toMatch(/^[0-9a-f]{64}$/);
  });
});
