import pino from "pino";
import { describe, expect, it } from "vitest";
import { createIntakeConfirmations } from "../../../api/jobs/intake-confirmations.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";

const log = pino({ level: "silent" });
const acme = tenantId("acme");
const globex = tenantId("globex");

function recorder(fail = false) {
  const writes: { tenant: string; ids: string[] }[] = [];
  return {
    writes,
    jobsOf: (tenant: typeof acme) => ({
      confirmIntakeSent: async (ids: readonly string[]) => {
        writes.push({ tenant, ids: [...ids] });
        if (fail) throw new Error("mongo down");
        return ids.length;
      },
    }),
  };
}

describe("IntakeConfirmations (ADR 0026)", () => {
  it("writes one batch per tenant, not one write per confirmation", async () => {
    const r = recorder();
    const c = createIntakeConfirmations({ jobsOf: r.jobsOf, log, delayMs: 60_000 });
    c.sent(acme, "a1");
    c.sent(globex, "g1");
    c.sent(acme, "a2");
    expect(r.writes).toEqual([]);
    await c.flush();
    expect(r.writes).toEqual([
      { tenant: "acme", ids: ["a1", "a2"] },
      { tenant: "globex", ids: ["g1"] },
    ]);
    await c.flush();
    expect(r.writes).toHaveLength(2);
  });

  it("writes at once when a batch is full", async () => {
    const r = recorder();
    const c = createIntakeConfirmations({ jobsOf: r.jobsOf, log, delayMs: 60_000, maxBatch: 3 });
    for (const id of ["1", "2", "3", "4"]) c.sent(acme, id);
    expect(r.writes).toEqual([{ tenant: "acme", ids: ["1", "2", "3"] }]);
    await c.flush();
    expect(r.writes).toEqual([
      { tenant: "acme", ids: ["1", "2", "3"] },
      { tenant: "acme", ids: ["4"] },
    ]);
  });

  it("writes after its delay without a flush", async () => {
    const r = recorder();
    const c = createIntakeConfirmations({ jobsOf: r.jobsOf, log, delayMs: 1 });
    c.sent(acme, "x");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.writes).toEqual([{ tenant: "acme", ids: ["x"] }]);
  });

  it("a failed write is logged, never thrown (the sweeper covers those jobs)", async () => {
    const r = recorder(true);
    const c = createIntakeConfirmations({ jobsOf: r.jobsOf, log, delayMs: 60_000 });
    c.sent(acme, "x");
    await expect(c.flush()).resolves.toBeUndefined();
    expect(r.writes).toHaveLength(1);
  });
});
