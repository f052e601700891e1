import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chaosOptions, pruneRuns } from "../../../bench/chaos/index.ts";
import { parseRecordLines, pointOf, tokensIn, type StepRecord } from "../../../bench/chaos/records.ts";
import { countKinds, faultSchedule } from "../../../bench/chaos/schedule.ts";
import { countVerdict, exitCode, finalLine, type VerdictInput } from "../../../bench/chaos/verdict.ts";
import { garbageKeyIn, planWorkload, type ChaosTenant } from "../../../bench/chaos/workload.ts";

const TENANTS: ChaosTenant[] = [
  { id: "alpha", maxConcurrency: 4, weight: 1 },
  { id: "beta", maxConcurrency: 8, weight: 2 },
  { id: "gamma", maxConcurrency: 12, weight: 3 },
];

const tk = (n: number) => `tk_${String(n).padStart(8, "0")}-0000-4000-8000-000000000000`;

function rec(
  job: string,
  state: string,
  token: string,
  seen: string[] = [],
  index: number | null = null,
  at = 0,
): StepRecord {
  return {
    key: `${job}:${state}:0`,
    job,
    tenant: "alpha",
    state,
    attempt: 0,
    index,
    token,
    seen,
    pid: 1,
    startedAt: at,
    endedAt: at + 10,
  };
}

function input(over: Partial<VerdictInput> = {}): VerdictInput {
  return {
    jobs: [],
    garbage: [],
    docs: [],
    records: [],
    dlq: [],
    lostWithLocalStack: [],
    pendingIntake: [],
    samples: [],
    drainS: 12.34,
    ...over,
  };
}

describe("chaos fault schedule", () => {
  const opts = { seed: 7, durationMs: 100_000, killEveryMs: 5_000, workers: 3 };

  it("is a pure function of the seed", () => {
    expect(faultSchedule(opts)).toEqual(faultSchedule(opts));
    expect(faultSchedule({ ...opts, seed: 8 })).not.toEqual(faultSchedule(opts));
  });

  it("restarts each service once, SIGTERMs one worker, and kills every few seconds within the phase", () => {
    const events = faultSchedule(opts);
    const kinds = countKinds(events);
    expect(kinds["restart-mongo"]).toBe(1);
    expect(kinds["restart-localstack"]).toBe(1);
    expect(kinds["term-worker"]).toBe(1);
    const kills = events.filter((e) => e.kind === "kill-worker" || e.kind === "kill-scheduler");
    // Gaps are 0.5-1.5x the mean: between duration/(1.5 mean) and duration/(0.5 mean) kills.
    expect(kills.length).toBeGreaterThanOrEqual(Math.floor(100 / 7.5) - 1);
    expect(kills.length).toBeLessThanOrEqual(100 / 2.5);
    expect(kinds["kill-scheduler"]).toBeGreaterThan(0);
    expect(kinds["kill-worker"]).toBeGreaterThan(kinds["kill-scheduler"]);
    for (let i = 1; i < kills.length; i++) {
      expect(kills[i]!.atMs - kills[i - 1]!.atMs).toBeGreaterThanOrEqual(2_500 - 1);
      expect(kills[i]!.atMs - kills[i - 1]!.atMs).toBeLessThanOrEqual(7_500 + 1);
    }
    expect(events.map((e) => e.atMs)).toEqual([...events.map((e) => e.atMs)].sort((a, b) => a - b));
    for (const e of events) {
      expect(e.atMs).toBeGreaterThanOrEqual(0);
      expect(e.atMs).toBeLessThan(opts.durationMs);
      expect(e.target).toBeGreaterThanOrEqual(0);
      expect(e.target).toBeLessThan(opts.workers);
    }
    const at = (k: string) => events.find((e) => e.kind === k)!.atMs;
    expect(at("restart-mongo")).toBeLessThan(at("restart-localstack"));
  });

  it("kills go on to the horizon; the restarts stay at their share of the duration", () => {
    const long = faultSchedule({ ...opts, horizonMs: 200_000 });
    const kills = long.filter((e) => e.kind === "kill-worker" || e.kind === "kill-scheduler");
    expect(kills.at(-1)!.atMs).toBeGreaterThan(150_000);
    expect(kills.at(-1)!.atMs).toBeLessThan(200_000);
    expect(long.find((e) => e.kind === "restart-localstack")!.atMs).toBe(60_000);
    expect(long.slice(0, 5)).toEqual(faultSchedule(opts).slice(0, 5));
  });

  it("rejects a zero duration or period", () => {
    expect(() => faultSchedule({ ...opts, killEveryMs: 0 })).toThrow(/positive/);
  });
});

describe("chaos workload", () => {
  const plan = planWorkload({ seed: 3, jobs: 600, tenants: TENANTS, workflow: "chaos" });

  it("sends every job once, duplicates after their original, garbage marked", () => {
    const jobs = plan.filter((m) => m.kind === "job");
    expect(jobs).toHaveLength(600);
    expect(new Set(jobs.map((j) => j.key)).size).toBe(600);
    const dups = plan.filter((m) => m.kind === "duplicate");
    expect(dups).toHaveLength(30);
    for (const d of dups) {
      const original = plan.findIndex((m) => m.kind === "job" && m.key === d.key);
      expect(plan.indexOf(d)).toBeGreaterThan(original);
      expect(d.body).toBe(plan[original]!.body);
    }
    const garbage = plan.filter((m) => m.kind === "garbage");
    expect(garbage).toHaveLength(18);
    for (const g of garbage) expect(garbageKeyIn(g.body)).toBe(g.key);
    expect(
      garbage
        .filter((g) => g.kind === "garbage" && g.garbage === "malformed")
        .every((g) => {
          try {
            JSON.parse(g.body);
            return false;
          } catch {
            return true;
          }
        }),
    ).toBe(true);
    const wrong = garbage.filter((g) => g.kind === "garbage" && g.garbage === "wrong-tenant");
    for (const w of wrong) expect((JSON.parse(w.body) as { tenantId: string }).tenantId).not.toBe(w.tenant);
  });

  it("spreads jobs over tenants in proportion to their caps", () => {
    const n = (t: string) => plan.filter((m) => m.kind === "job" && m.tenant === t).length;
    expect(n("alpha")).toBeGreaterThan(60);
    expect(n("alpha")).toBeLessThan(140);
    expect(n("gamma")).toBeGreaterThan(n("beta"));
    expect(n("beta")).toBeGreaterThan(n("alpha"));
  });

  it("is a pure function of the seed", () => {
    expect(planWorkload({ seed: 3, jobs: 600, tenants: TENANTS, workflow: "chaos" })).toEqual(plan);
  });
});

describe("chaos step records", () => {
  it("finds tokens anywhere in a value and names Map iterations apart", () => {
    expect(tokensIn({ a: tk(1), b: [{ c: tk(2) }, "tk_nope"], d: 3 })).toEqual([tk(1), tk(2)]);
    expect(pointOf(rec("j", "Item", tk(1), [], 2))).toBe("j/Item[2]");
    expect(pointOf(rec("j", "Fetch", tk(1)))).toBe("j/Fetch");
  });

  it("counts a line cut short by SIGKILL instead of failing", () => {
    const text = `${JSON.stringify(rec("j", "Fetch", tk(1)))}\n{"key":"j:Par\n\n`;
    const r = parseRecordLines(text);
    expect(r.records).toHaveLength(1);
    expect(r.bad).toBe(1);
  });
});

describe("chaos verdict", () => {
  it("all clean: zeros, exit 0, the exact closing line", () => {
    const v = countVerdict(
      input({
        jobs: [{ tenant: "alpha", key: "job-1" }],
        docs: [
          {
            id: "j1",
            tenant: "alpha",
            key: "job-1",
            status: "complete",
            output: { fetch: { token: tk(1) } },
          },
        ],
        records: [rec("j1", "Fetch", tk(1))],
      }),
    );
    expect(v.figures).toEqual({
      jobs: 1,
      lost: 0,
      duplicated: 0,
      doubleCommitted: 0,
      capViolations: 0,
      dlqWithoutReason: 0,
      stuck: 0,
      drainS: 12.34,
    });
    expect(finalLine(v.figures)).toBe(
      "chaos: jobs 1, lost 0, duplicated 0, double-committed 0, cap-violations 0, dlq-without-reason 0, stuck 0, drain-s 12.3",
    );
    expect(exitCode(v.figures)).toBe(0);
  });

  it("tells jobs lost with LocalStack (expected) from lost ones, and counts failed and dead-lettered jobs as lost", () => {
    const body = (key: string) =>
      JSON.stringify({ tenantId: "alpha", workflow: "chaos", idempotencyKey: key });
    const v = countVerdict(
      input({
        jobs: ["a", "b", "c", "d", "e", "f"].map((key) => ({ tenant: "alpha", key })),
        docs: [
          { id: "1", tenant: "alpha", key: "c", status: "failed", output: null, error: "Sluice.Poison" },
          { id: "2", tenant: "alpha", key: "f", status: "complete", output: null },
        ],
        lostWithLocalStack: [body("a")],
        dlq: [{ queue: "intake-dlq/alpha", messageId: "m", body: body("d"), reason: "internal: RangeError" }],
        pendingIntake: [body("e")],
      }),
    );
    expect(v.detail.expectedLoss).toBe(1);
    expect(v.detail.lostMissing).toEqual(["b"]);
    expect(v.detail.lostFailed).toEqual([{ key: "c", error: "Sluice.Poison" }]);
    expect(v.detail.lostDeadLettered).toEqual(["d"]);
    expect(v.figures.lost).toBe(3);
    expect(v.figures.stuck).toBe(1); // e is still on its intake queue
    expect(exitCode(v.figures)).toBe(1);
  });

  it("counts extra documents for one key and documents made from garbage as duplicated", () => {
    const v = countVerdict(
      input({
        jobs: [{ tenant: "alpha", key: "k" }],
        garbage: ["garbage-1", "garbage-2", "garbage-3"],
        docs: [
          { id: "1", tenant: "alpha", key: "k", status: "complete", output: null },
          { id: "2", tenant: "alpha", key: "k", status: "running", output: null },
          { id: "3", tenant: "beta", key: "garbage-1", status: "complete", output: null },
        ],
        dlq: [
          {
            queue: "intake-dlq/alpha",
            messageId: "x",
            body: '{"k":"garbage-2", bad',
            reason: "malformed JSON",
          },
          { queue: "work-dlq", messageId: "y", body: '{"tenantId":"alpha","jobId":"1"}', reason: undefined },
        ],
      }),
    );
    expect(v.figures.duplicated).toBe(2);
    expect(v.figures.stuck).toBe(1);
    expect(v.figures.dlqWithoutReason).toBe(1);
    expect(v.detail.dlqWithoutReasonEntries).toEqual([
      { queue: "work-dlq", body: '{"tenantId":"alpha","jobId":"1"}' },
    ]);
    expect(v.detail.garbageDeadLettered).toBe(1);
    expect(v.detail.garbageUnaccounted).toEqual(["garbage-3"]);
  });

  it("a result re-committed after going back to an earlier checkpoint is a double commit; an uncommitted rerun is not", () => {
    const v = countVerdict(
      input({
        jobs: [{ tenant: "alpha", key: "k" }],
        docs: [
          {
            id: "j",
            tenant: "alpha",
            key: "k",
            status: "complete",
            output: { fetch: tk(1), parse: tk(3), store: tk(5), notify: tk(7) },
          },
        ],
        records: [
          rec("j", "Fetch", tk(1), [], null, 0),
          // Parse and Store ran and their results went downstream (committed); the job then went back
          // to the checkpoint after Fetch and ran them again: both are committed twice.
          rec("j", "Parse", tk(2), [tk(1)], null, 10),
          rec("j", "Store", tk(4), [tk(1), tk(2)], null, 20),
          // Notify's first result was never checkpointed (a crash before the write): not a commit.
          rec("j", "Notify", tk(6), [tk(1), tk(2), tk(4)], null, 30),
          rec("j", "Parse", tk(3), [tk(1)], null, 40),
          rec("j", "Store", tk(5), [tk(1), tk(3)], null, 50),
          rec("j", "Notify", tk(7), [tk(1), tk(3), tk(5)], null, 60),
        ],
      }),
    );
    expect(v.detail.doubleCommittedPoints.sort()).toEqual(["j/Parse", "j/Store"]);
    expect(v.figures.doubleCommitted).toBe(2);
    expect(v.detail.committedInvocations).toBe(6);
    expect(v.detail.overlappingPoints).toEqual([]);
  });

  it("Map iterations are separate points even when they share an idempotency key; overlapping runs are reported", () => {
    const items = [0, 1, 2].map((i) => rec("j", "Item", tk(10 + i), [], i, 0));
    const v = countVerdict(
      input({
        records: [
          ...items,
          rec("j", "Store", tk(20), [tk(10), tk(11), tk(12)], null, 20),
          rec("j", "Fetch", tk(30), [], null, 100),
          rec("j", "Fetch", tk(31), [], null, 105),
        ],
      }),
    );
    expect(v.figures.doubleCommitted).toBe(0);
    expect(v.detail.sharedIdempotencyKeys).toBe(1);
    expect(v.detail.overlappingPoints).toEqual(["j/Fetch"]);
  });

  it("counts every sample above its cap, from either source", () => {
    const v = countVerdict(
      input({
        samples: [
          { at: 1, tenant: "alpha", cap: 4, source: "usage", running: 4 },
          { at: 1, tenant: "alpha", cap: 4, source: "jobs", running: 5 },
          { at: 2, tenant: "beta", cap: 8, source: "usage", running: 9 },
        ],
      }),
    );
    expect(v.figures.capViolations).toBe(2);
    expect(exitCode(v.figures)).toBe(1);
  });
});

describe("chaos options", () => {
  it("defaults and the few options", () => {
    expect(chaosOptions([])).toMatchObject({
      jobs: 1500,
      seed: 1,
      durationMs: 90_000,
      killEveryMs: 8_000,
      save: true,
    });
    expect(
      chaosOptions(["--jobs", "200", "--seed=4", "--kill-every-s", "3", "--duration-s", "60", "--no-save"]),
    ).toEqual({
      jobs: 200,
      seed: 4,
      killEveryMs: 3000,
      durationMs: 60_000,
      save: false,
    });
    expect(() => chaosOptions(["--jbos", "3"])).toThrow(/unknown option/);
  });

  it("keeps the newest run directories and nothing else is touched", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "chaos-runs-"));
    try {
      for (const n of ["run-20261204-100000", "run-20261204-090000", "run-20261204-110000", "notes"]) {
        mkdirSync(path.join(dir, n));
      }
      pruneRuns(dir, 2);
      expect(readdirSync(dir).sort()).toEqual(["notes", "run-20261204-100000", "run-20261204-110000"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
