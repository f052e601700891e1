/**
 * runJob's checkpoint policy, end to end against in-memory fakes (no stack): the writes a job makes,
 * and that a lost compare-and-set stops the run without another write or step.
 */
import { describe, expect, it } from "vitest";
import { setup } from "./run-job-fakes.ts";

describe("runJob's checkpoints (fake store)", () => {
  it("Pass → Task → Pass → Task → Succeed: one checkpoint before the second Task, one at the end", async () => {
    const { jobs, ran, run } = setup();
    expect(await run()).toEqual({ kind: "finished", status: "complete" });
    expect(ran).toEqual(["T1", "T2"]);
    // The first Task is dispatched without a write (a new execution's reproducible first stretch).
    expect(jobs.writes.map((w) => [w.op, w.expected, w.patch.status])).toEqual([
      ["checkpoint", 1, undefined],
      ["finish", 2, "complete"],
    ]);
    expect(jobs.writes[0]?.patch.attemptsWithoutProgress).toBe(0);
    expect(jobs.doc.output).toEqual({ inline: { n: 1 } });
  });

  it("a lost CAS before the second Task stops the run: no step, no further write", async () => {
    const { jobs, ran, run } = setup();
    jobs.loseAtWrite = 1;
    expect(await run()).toEqual({ kind: "lost", reason: "conflict" });
    expect(ran).toEqual(["T1"]);
    expect(jobs.writes).toHaveLength(1);
  });

  it("a resumed job dispatches its in-flight task again without writing the state it already holds", async () => {
    const first = setup();
    first.jobs.loseAtWrite = 2; // the completion is lost: the document holds the checkpoint before T2
    expect(await first.run()).toEqual({ kind: "lost", reason: "conflict" });
    const { jobs, ran, run } = setup();
    jobs.doc = { ...first.jobs.doc, status: "queued", lease: null };
    expect(await run()).toEqual({ kind: "finished", status: "complete" });
    expect(ran).toEqual(["T2"]);
    expect(jobs.writes.map((w) => w.patch.status)).toEqual(["complete"]);
  });
});
