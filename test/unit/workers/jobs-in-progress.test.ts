import { describe, expect, it } from "vitest";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import { JobsInProgress } from "../../../workers/jobs-in-progress.ts";

const acme = { tenantId: tenantId("acme"), jobId: "job-00000001" };
const globex = { tenantId: tenantId("globex"), jobId: "job-00000001" };

const isSettled = async (p: Promise<void>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

describe("JobsInProgress (issue 9 E/10: one run per job per worker)", () => {
  it("admits the first message of a job to run and makes a second one follow it", async () => {
    const reg = new JobsInProgress();
    const first = reg.enter(acme);
    expect(first.run).toBe(true);
    const second = reg.enter(acme);
    expect(second.run).toBe(false);
    if (second.run || !first.run) return;
    expect(reg.has(acme)).toBe(true);
    expect(await isSettled(second.settled)).toBe(false);
    first.leave();
    expect(await isSettled(second.settled)).toBe(true);
    expect(reg.has(acme)).toBe(false);
    // Once the run left, the next message runs the job again.
    expect(reg.enter(acme).run).toBe(true);
  });

  it("keys by tenant and job: the same job id of another tenant runs beside it", () => {
    const reg = new JobsInProgress();
    expect(reg.enter(acme).run).toBe(true);
    expect(reg.enter(globex).run).toBe(true);
    expect(reg.size).toBe(2);
  });

  it("leave is idempotent: a stale leave never frees a later run", () => {
    const reg = new JobsInProgress();
    const a = reg.enter(acme);
    if (!a.run) throw new Error("expected to run");
    a.leave();
    const b = reg.enter(acme);
    expect(b.run).toBe(true);
    a.leave();
    expect(reg.has(acme)).toBe(true);
    expect(reg.enter(acme).run).toBe(false);
  });
});
