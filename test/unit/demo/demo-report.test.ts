import { describe, expect, it } from "vitest";
import { normalizeValue, scoreResult, sumScores } from "../../../demo/accuracy.ts";
import { parseDemoArgs, DemoArgsError } from "../../../demo/args.ts";
import { allSettled, renderLine, renderTable, tally, type JobView } from "../../../demo/progress.ts";
import { buildReport, renderReport, type DemoJobRecord } from "../../../demo/report.ts";
import { contentionShares, percentile } from "../../../demo/shares.ts";
import { DEMO_TENANTS, splitDocuments, weightShares } from "../../../demo/tenants.ts";
import type { JobStatus } from "../../../shared/jobs/job-doc.ts";

function job(
  tenantId: string,
  n: number,
  status: JobStatus,
  startedAt: number | null,
  finishedAt: number | null,
  updatedAt = finishedAt ?? startedAt ?? 0,
): JobView {
  return {
    tenantId,
    jobId: `${tenantId}-${n}`,
    idempotencyKey: `run-${tenantId}-${n}`,
    status,
    createdAt: 0,
    startedAt,
    finishedAt,
    updatedAt,
  };
}

describe("demo live progress", () => {
  it("counts each tenant's jobs by what they do now, unsent-to-a-worker jobs as queued", () => {
    const jobs = [
      job("a", 1, "running", 10, null),
      job("a", 2, "complete", 5, 9),
      job("b", 1, "queued", null, null),
      job("b", 2, "running", 12, null),
      job("b", 3, "needs_review", 3, null),
      job("b", 4, "failed", 3, 4),
    ];
    const rows = tally(
      ["a", "b"],
      new Map([
        ["a", 3],
        ["b", 5],
      ]),
      jobs,
    );
    expect(rows).toEqual([
      { tenant: "a", queued: 1, running: 1, review: 0, complete: 1, failed: 0, fleetShare: 0.5 },
      { tenant: "b", queued: 2, running: 1, review: 1, complete: 0, failed: 1, fleetShare: 0.5 },
    ]);
    expect(allSettled(rows)).toBe(false);
    const table = renderTable(rows, "footer");
    expect(table[0]).toMatch(/^tenant\s+queued\s+running\s+review\s+complete\s+failed\s+fleet$/);
    expect(table).toHaveLength(4);
    expect(renderLine(rows, 12_300)).toMatch(/^12s {2}a queued 1 running 1 .* \| b queued 2/);
  });

  it("is settled only when nothing waits or runs (review and failures are at rest)", () => {
    const rows = tally(["a"], new Map([["a", 2]]), [
      job("a", 1, "needs_review", 1, null),
      job("a", 2, "failed", 1, 2),
    ]);
    expect(allSettled(rows)).toBe(true);
    expect(allSettled(tally(["a"], new Map([["a", 3]]), []))).toBe(false);
  });
});

describe("demo statistics", () => {
  it("nearest-rank percentiles", () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it("fleet shares count running time while every tenant still had work to start", () => {
    // a starts jobs at 0 and 10 (last start 10); b at 0 and 5 (last start 5): the window is [0, 5].
    const jobs = [
      job("a", 1, "complete", 0, 10),
      job("a", 2, "complete", 10, 20),
      job("b", 1, "complete", 0, 20),
      job("b", 2, "complete", 5, 20),
    ];
    // Window [0, 5]: a busy 5, b busy 5 → 50/50.
    const s = contentionShares(["a", "b"], jobs, 100)!;
    expect(s.fromMs).toBe(0);
    expect(s.toMs).toBe(5);
    expect(s.shares.get("a")).toBeCloseTo(0.5);
    // Window still [0, 5]: a busy 5; b's jobs 1, 3 and 4 run all of it (15) → b has 15/20.
    const more = [...jobs, job("b", 3, "needs_review", 0, null, 50), job("b", 4, "running", 0, null)];
    const m = contentionShares(["a", "b"], more, 100)!;
    expect(m.shares.get("b")).toBeCloseTo(0.75);
    expect(contentionShares(["a", "c"], jobs, 100)).toBeUndefined();
  });

  it("splits documents by share, the rest to the flooder, and weights into shares", () => {
    const split = splitDocuments(40, DEMO_TENANTS);
    expect([...split.values()].reduce((a, b) => a + b, 0)).toBe(40);
    expect(split.get(DEMO_TENANTS[1]!.id)).toBeGreaterThan(split.get(DEMO_TENANTS[2]!.id)!);
    expect([...splitDocuments(3, DEMO_TENANTS).values()].every((n) => n >= 1)).toBe(true);
    const w = weightShares(DEMO_TENANTS);
    expect([...w.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1);
  });
});

describe("demo accuracy", () => {
  const truth = { type: "invoice", fields: { invoice_number: "INV-001", total: "12.50", currency: "EUR" } };

  it("scores the type and each field, ignoring case and spacing", () => {
    const s = scoreResult(truth, {
      type: "invoice",
      fields: {
        invoice_number: { value: " inv-001 " },
        total: { value: "12.5" },
        currency: { value: "EUR" },
      },
    });
    expect(s).toEqual({ typeRight: true, fieldsRight: 2, fieldsTotal: 3 });
    expect(scoreResult(truth, "not a result")).toEqual({ typeRight: false, fieldsRight: 0, fieldsTotal: 3 });
    expect(normalizeValue("  Acme   Corp. ")).toBe("acme corp");
    expect(sumScores([s, s])).toEqual({ docs: 2, typesRight: 2, fieldsRight: 4, fieldsTotal: 6 });
  });
});

describe("demo report", () => {
  const where = {
    bucket: "demo-x",
    database: "demo_x",
    queuePrefix: "demo-x",
    logsDir: "/tmp/logs",
    env: "SLUICE_BUCKET=demo-x",
    stackKept: true,
  };
  const rec = (v: JobView, extra: Partial<DemoJobRecord> = {}): DemoJobRecord => ({
    ...v,
    sentAt: 0,
    document: `doc-${v.jobId}`,
    error: null,
    cause: null,
    result: undefined,
    ...extra,
  });

  it("gives per-tenant latency, shares and accuracy, the failures and the approve command", () => {
    const [small, bulk, ent] = DEMO_TENANTS.map((t) => t.id);
    const jobs = [
      rec(job(small!, 1, "complete", 1000, 2000), {
        truth: { type: "letter", fields: { sender: "Ann" } },
        result: { type: "letter", fields: { sender: { value: "Ann", confidence: 0.9 } } },
      }),
      rec(job(bulk!, 1, "failed", 1000, 1500), { error: "Sluice.CorruptDocument", cause: "not a PDF" }),
      rec(job(ent!, 1, "needs_review", 1000, null, 3000)),
    ];
    const r = buildReport({
      workflow: "document-intelligence",
      tenants: DEMO_TENANTS,
      jobs,
      sent: new Map([
        [small!, 1],
        [bulk!, 1],
        [ent!, 2],
      ]),
      startedAt: 0,
      now: 4000,
      workers: 2,
      schedulers: {
        replicas: 2,
        owners: new Map([
          [small!, "demo-scheduler-1"],
          [bulk!, "demo-scheduler-2"],
          [ent!, null],
        ]),
      },
      where,
    });
    const s = r.tenants[0]!;
    expect(r.tenants.map((t) => t.scheduler)).toEqual(["demo-scheduler-1", "demo-scheduler-2", null]);
    expect(s.p50Ms).toBe(2000);
    expect(s.accuracy).toEqual({ docs: 1, typesRight: 1, fieldsRight: 1, fieldsTotal: 1 });
    expect(r.tenants[2]!.unfinished).toBe(1);
    expect(r.failures).toEqual([
      {
        tenant: bulk,
        jobId: `${bulk}-1`,
        document: `doc-${bulk}-1`,
        error: "Sluice.CorruptDocument",
        cause: "not a PDF",
      },
    ]);
    expect(r.review[0]!.approve).toBe(`npm run review -- approve ${ent} ${ent}-1 --reviewer you`);
    const text = renderReport(r).join("\n");
    expect(text).toContain(
      "REPORT — workflow document-intelligence, 2 scheduler replicas, 2 worker processes",
    );
    expect(text).toMatch(new RegExp(`^${small}\\s.*\\sdemo-scheduler-1$`, "m"));
    expect(text).toMatch(new RegExp(`^${ent}\\s.*\\s-$`, "m"));
    expect(text).toContain("the 2 replicas divide the tenants between them");
    expect(renderReport({ ...r, schedulers: 1 }).join("\n")).toContain("the one scheduler");
    expect(text).toContain("Sluice.CorruptDocument: not a PDF");
    expect(text).toContain(`export SLUICE_BUCKET=demo-x`);
    expect(text).toContain("1 job(s) had not finished");
    expect(renderReport({ ...r, where: { ...where, stackKept: false } }).join("\n")).toContain(
      "--keep-stack",
    );
  });
});

describe("demo arguments", () => {
  it("parses the flags and refuses bad ones", () => {
    expect(parseDemoArgs([])).toMatchObject({
      keepStack: false,
      json: false,
      docs: 30,
      workers: 2,
      schedulers: 2,
    });
    expect(parseDemoArgs(["--schedulers", "1"]).schedulers).toBe(1);
    expect(() => parseDemoArgs(["--schedulers", "0"])).toThrow(/--schedulers must be an integer from 1 to 8/);
    expect(parseDemoArgs(["--keep-stack", "--json", "--docs", "9"])).toMatchObject({
      keepStack: true,
      json: true,
      docs: 9,
    });
    expect(() => parseDemoArgs(["--docs", "x"])).toThrow(DemoArgsError);
    expect(() => parseDemoArgs(["--nope"])).toThrow(DemoArgsError);
  });
});
