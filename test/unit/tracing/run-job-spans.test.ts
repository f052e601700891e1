/**
 * The worker's spans of a job (workers/runner/run-trace.ts) against the in-memory fakes and the
 * SDK's in-memory exporter: a `job` span under the trace the work message or the job document
 * carries, a span per state in order, a step span under its Task state's, the tenant on every span,
 * checkpoint events; a job without a trace keeps the one its first run starts, and the run that
 * resumes it continues that trace.
 */
import { describe, expect, it } from "vitest";
import { SpanStatusCode } from "@opentelemetry/api";
import type { JobDoc } from "../../../shared/jobs/job-doc.ts";
import { traceFromCarrier, traceIdOf } from "../../../shared/tracing/trace-context.ts";
import { ATTR, NO_TRACING } from "../../../shared/tracing/tracing.ts";
import { memoryTracing, parentOf } from "../../support/memory-tracing.ts";
import { setup, T } from "../workers/run-job-fakes.ts";

const RELEASE = traceFromCarrier({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" })!;
const RELEASE_TRACE = traceIdOf(RELEASE);

describe("a job run's spans", () => {
  it("one trace: job under the message's context, states in order, steps under their Task state", async () => {
    const mem = memoryTracing();
    const { run } = setup({ tracing: mem.tracing });
    expect(await run(RELEASE)).toEqual({ kind: "finished", status: "complete" });
    const spans = mem.spans();
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([RELEASE_TRACE]));
    for (const s of spans) expect(s.attributes[ATTR.tenant]).toBe(T);

    const job = spans.find((s) => s.name === "job")!;
    expect(parentOf(job)).toBe("00f067aa0ba902b7");
    expect(job.attributes[ATTR.workflow]).toBe("wf");
    expect(job.attributes[ATTR.outcome]).toBe("complete");
    expect(
      job.events.filter((e) => e.name === "checkpoint").map((e) => e.attributes?.["sluice.checkpoint.kind"]),
    ).toEqual(["dispatch", "end"]);

    const states = spans.filter((s) => s.name.startsWith("state "));
    const byStart = [...states].sort((a, b) => compareTime(a.startTime, b.startTime));
    expect(byStart.map((s) => s.name)).toEqual(["state P1", "state T1", "state P2", "state T2"]);
    for (const s of states) expect(parentOf(s)).toBe(job.spanContext().spanId);
    expect(states.find((s) => s.name === "state T1")?.attributes[ATTR.stateType]).toBe("Task");

    const steps = spans.filter((s) => s.name.startsWith("step "));
    expect(steps.map((s) => [s.name, s.attributes[ATTR.state], s.attributes[ATTR.stepAttempt]])).toEqual([
      ["step echo", "T1", 0],
      ["step echo", "T2", 0],
    ]);
    for (const step of steps) {
      const state = states.find((s) => s.name === `state ${String(step.attributes[ATTR.state])}`)!;
      expect(parentOf(step)).toBe(state.spanContext().spanId);
    }
    // Never payloads: the input { n: 1 } appears in no attribute.
    for (const s of spans) expect(JSON.stringify(s.attributes)).not.toContain('"n"');
  });

  it("a job without a message context continues the trace stored on its document", async () => {
    const mem = memoryTracing();
    const { jobs, run } = setup({ tracing: mem.tracing });
    jobs.doc = { ...jobs.doc, trace: RELEASE } as JobDoc;
    await run();
    expect(new Set(mem.spans().map((s) => s.spanContext().traceId))).toEqual(new Set([RELEASE_TRACE]));
    // The document's trace is kept as it was.
    expect(jobs.writes.some((w) => w.patch.trace !== undefined)).toBe(false);
  });

  it("a job with no trace keeps the one its first run starts; the resuming run continues it", async () => {
    const mem = memoryTracing();
    const first = setup({ tracing: mem.tracing });
    first.jobs.loseAtWrite = 2; // the completion is lost: the run dies after its checkpoint
    expect(await first.run()).toEqual({ kind: "lost", reason: "conflict" });
    const stored = first.jobs.doc.trace;
    expect(stored).toBeDefined();
    const firstTrace = mem
      .spans()
      .find((s) => s.name === "job")!
      .spanContext().traceId;
    expect(traceIdOf(stored!)).toBe(firstTrace);

    const second = setup({ tracing: mem.tracing });
    second.jobs.doc = { ...first.jobs.doc, status: "queued", lease: null };
    expect(await second.run()).toEqual({ kind: "finished", status: "complete" });
    const jobs = mem.spans().filter((s) => s.name === "job");
    expect(jobs).toHaveLength(2);
    expect(jobs.map((s) => s.spanContext().traceId)).toEqual([firstTrace, firstTrace]);
    // The resumed run's T2 was entered by the first run: its exit here is a resumed state span.
    const resumed = mem.spans().filter((s) => s.attributes[ATTR.stateResumed] === true);
    expect(resumed.map((s) => s.name)).toEqual(["state T2"]);
  });

  it("a state the run leaves unfinished ends as continuing (its exit belongs to a later run)", async () => {
    const mem = memoryTracing();
    const { jobs, run } = setup({ tracing: mem.tracing });
    jobs.loseAtWrite = 1; // the checkpoint before T2 is lost: T2 was entered, never left
    expect(await run(RELEASE)).toEqual({ kind: "lost", reason: "conflict" });
    const continuing = mem.spans().filter((s) => s.attributes[ATTR.stateContinues] === true);
    expect(continuing.map((s) => s.name)).toEqual(["state T2"]);
    expect(mem.spans().find((s) => s.name === "job")?.attributes[ATTR.outcome]).toBe("lost");
  });

  it("a failing step's span carries the error and cause as its status", async () => {
    const mem = memoryTracing();
    const { run: failing } = setup({ tracing: mem.tracing, stepFails: "disk on fire" });
    expect(await failing(RELEASE)).toEqual({ kind: "finished", status: "failed" });
    const step = mem.spans().find((s) => s.name === "step echo")!;
    expect(step.status.code).toBe(SpanStatusCode.ERROR);
    expect(step.status.message).toBe("States.TaskFailed: disk on fire");
    expect(step.attributes[ATTR.error]).toBe("States.TaskFailed");
    expect(mem.spans().find((s) => s.name === "job")!.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("tracing off: the run makes no span and stores no trace", async () => {
    const { jobs, run } = setup({ tracing: NO_TRACING });
    expect(await run(RELEASE)).toEqual({ kind: "finished", status: "complete" });
    expect(jobs.doc.trace).toBeUndefined();
  });
});

function compareTime(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}
