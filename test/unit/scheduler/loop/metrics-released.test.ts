import { describe, expect, it } from "vitest";
import { SchedulerMetrics } from "../../../../scheduler/loop/metrics.ts";
import { tenantId } from "../../../../shared/tenancy/tenant-id.ts";

describe("SchedulerMetrics.releasedTotal", () => {
  it("sums every tenant's releases, as the per-tenant snapshot counts them, until a reset", () => {
    const m = new SchedulerMetrics();
    expect(m.releasedTotal()).toBe(0);
    const release = (t: string, i: number) =>
      m.released({ tenantId: tenantId(t), jobId: `j${i}`, priority: "normal", at: i, waitMs: 1 });
    for (let i = 0; i < 3; i += 1) release("acme", i);
    for (let i = 3; i < 5; i += 1) release("globex", i);
    m.throttled(tenantId("initech"), "cap");
    expect(m.releasedTotal()).toBe(5);
    expect(Object.values(m.snapshot()).reduce((n, c) => n + c.released, 0)).toBe(5);
    m.reset();
    expect(m.releasedTotal()).toBe(0);
  });
});
