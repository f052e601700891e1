import { describe, expect, it } from "vitest";
import { JOB_STATUSES } from "../../../shared/jobs/job-doc.ts";
import type { JobStatus } from "../../../shared/jobs/job-doc.ts";
import {
  IllegalTransitionError,
  TERMINAL_STATUSES,
  assertTransition,
  canTransition,
  isTerminal,
  predecessorsOf,
} from "../../../shared/jobs/transitions.ts";

// Written out independently of the table under test, so a change to either is caught.
const ALLOWED = new Set([
  "queued→running",
  "queued→queued",
  "queued→failed",
  "queued→cancelled",
  "running→running",
  "running→queued",
  "running→needs_review",
  "running→complete",
  "running→failed",
  "running→cancelled",
  "needs_review→running",
  "needs_review→queued",
  "needs_review→failed",
  "needs_review→cancelled",
]);

const PAIRS: [JobStatus, JobStatus][] = JOB_STATUSES.flatMap((from) =>
  JOB_STATUSES.map((to): [JobStatus, JobStatus] => [from, to]),
);

describe("job status transitions", () => {
  it("covers all 36 pairs", () => {
    expect(PAIRS).toHaveLength(36);
  });

  it.each(PAIRS)("%s → %s follows the table", (from, to) => {
    const allowed = ALLOWED.has(`${from}→${to}`);
    expect(canTransition(from, to)).toBe(allowed);
    if (allowed) {
      expect(() => assertTransition(from, to)).not.toThrow();
    } else {
      let caught: unknown;
      try {
        assertTransition(from, to, "job-123456");
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(IllegalTransitionError);
      const e = caught as IllegalTransitionError;
      expect(e).toMatchObject({
        from,
        to,
        jobId: "job-123456",
        code: "illegal_transition",
        retryable: false,
      });
      expect(e.message).toContain(`${from} → ${to}`);
    }
  });

  it("terminal statuses have no way out, not even to themselves", () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(["cancelled", "complete", "failed"]);
    for (const from of TERMINAL_STATUSES) {
      expect(isTerminal(from)).toBe(true);
      for (const to of JOB_STATUSES) expect(canTransition(from, to)).toBe(false);
    }
    for (const s of ["queued", "running", "needs_review"] as const) expect(isTerminal(s)).toBe(false);
  });

  it("predecessorsOf inverts the table", () => {
    for (const to of JOB_STATUSES) {
      expect(predecessorsOf(to).sort()).toEqual(JOB_STATUSES.filter((f) => ALLOWED.has(`${f}→${to}`)).sort());
    }
    expect(predecessorsOf("complete")).toEqual(["running"]);
  });

  it("every status is reachable from queued and every non-terminal one can reach a terminal one", () => {
    const reachable = new Set<JobStatus>(["queued"]);
    for (let changed = true; changed;) {
      changed = false;
      for (const [from, to] of PAIRS) {
        if (reachable.has(from) && canTransition(from, to) && !reachable.has(to)) {
          reachable.add(to);
          changed = true;
        }
      }
    }
    expect([...reachable].sort()).toEqual([...JOB_STATUSES].sort());
    for (const s of JOB_STATUSES.filter((x) => !isTerminal(x))) {
      expect(TERMINAL_STATUSES.some((t) => canTransition(s, t))).toBe(true);
    }
  });
});
