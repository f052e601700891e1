import { describe, expect, it } from "vitest";
import { JOB_STATUSES, type JobStatus } from "../../../shared/jobs/job-doc.ts";
import {
  decideCancel,
  decidePoisonMessage,
  decideRetry,
  operationGuard,
} from "../../../shared/jobs/job-operations.ts";
import { isTerminal } from "../../../shared/jobs/transitions.ts";

const NOW = 1_700_000_000_000;
const exec = { state: "Nap" };

describe("decideCancel", () => {
  it.each(JOB_STATUSES.filter((s) => !isTerminal(s)))(
    "cancels a %s job, clearing lease, wakeAt and review",
    (status) => {
      const d = decideCancel({ status }, NOW, { by: "ops", reason: "dup" });
      expect(d.ok).toBe(true);
      if (!d.ok) return;
      expect(d.patch).toMatchObject({
        status: "cancelled",
        lease: null,
        wakeAt: null,
        review: null,
        finishedAt: NOW,
      });
      expect(d.event).toEqual({
        at: NOW,
        type: "cancelled",
        detail: { from: status, by: "ops", reason: "dup" },
      });
      expect(operationGuard(d)).toEqual({ status });
    },
  );

  it.each(["complete", "failed", "cancelled"] as JobStatus[])("refuses a %s job", (status) => {
    expect(decideCancel({ status }, NOW)).toEqual({ ok: false, reason: "terminal", status });
  });

  it("records no who/why when none is given", () => {
    const d = decideCancel({ status: "queued" }, NOW);
    expect(d.ok && d.event.detail).toEqual({ from: "queued" });
  });
});

describe("decideRetry", () => {
  it.each(["failed", "cancelled"] as JobStatus[])(
    "retries a %s job from its checkpoint, keeping the execution",
    (status) => {
      const d = decideRetry({ status, execution: exec, executionRef: null }, "checkpoint", NOW);
      expect(d.ok).toBe(true);
      if (!d.ok) return;
      expect(d.patch).toMatchObject({
        status: "queued",
        error: null,
        cause: null,
        finishedAt: null,
        output: null,
      });
      expect(d.patch).not.toHaveProperty("execution");
      expect(d.event.detail).toEqual({ from: "checkpoint", previousStatus: status, hadCheckpoint: true });
      expect(operationGuard(d)).toEqual({ status });
    },
  );

  it("from the start clears the execution state and its claim check", () => {
    const d = decideRetry({ status: "failed", execution: exec, executionRef: null }, "start", NOW);
    expect(d.ok && d.patch).toMatchObject({
      execution: null,
      executionRef: null,
      attemptsWithoutProgress: 0,
    });
  });

  it("says when there was no checkpoint to resume from", () => {
    const d = decideRetry({ status: "failed", execution: null }, "checkpoint", NOW);
    expect(d.ok && d.event.detail).toMatchObject({ hadCheckpoint: false });
  });

  it.each(["queued", "running", "needs_review", "complete"] as JobStatus[])("refuses a %s job", (status) => {
    expect(decideRetry({ status, execution: null }, "start", NOW)).toEqual({
      ok: false,
      reason: "not_retryable",
      status,
    });
  });
});

describe("decidePoisonMessage", () => {
  const detail = { messageId: "m1", reason: "boom", error: "Sluice.Poison" };
  const lease = (owner: string, expiresAt: number) => ({ owner, expiresAt });

  it("fails a queued job, or one this worker holds, with the reason", () => {
    for (const job of [
      { status: "queued" as const, lease: null },
      { status: "running" as const, lease: lease("me", NOW + 1) },
      { status: "running" as const, lease: lease("other", NOW) },
    ]) {
      const d = decidePoisonMessage(job, "me", NOW, detail);
      expect(d.ok && d.patch).toEqual({ status: "failed", error: "Sluice.Poison", cause: "boom" });
      expect(d.ok && d.event).toEqual({
        at: NOW,
        type: "poison",
        detail: { messageId: "m1", reason: "boom" },
      });
    }
  });

  it("skips a terminal job and one another worker holds a live lease on", () => {
    expect(decidePoisonMessage({ status: "complete", lease: null }, "me", NOW, detail)).toMatchObject({
      ok: false,
      reason: "skip",
    });
    expect(
      decidePoisonMessage({ status: "running", lease: lease("other", NOW + 1) }, "me", NOW, detail),
    ).toMatchObject({ ok: false, reason: "skip" });
  });
});
