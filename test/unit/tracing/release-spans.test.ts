/**
 * The scheduler's release and trace context (scheduler/intake/release-trace.ts), on the fake SQS and
 * a one-method job store, with the SDK's in-memory exporter: an intake message's `traceparent` is
 * continued (`intake` under it, `release` under `intake`), a message without one starts a trace, and
 * the job document and the work message carry the release span's context; tracing off, neither does.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { stringAttr, type MessageAttributes } from "../../../shared/aws/sqs-port.ts";
import type { JobDoc } from "../../../shared/jobs/job-doc.ts";
import type { JobStore } from "../../../shared/jobs/job-store.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import { traceFromAttributes, traceIdOf } from "../../../shared/tracing/trace-context.ts";
import { ATTR, NO_TRACING, type Tracing } from "../../../shared/tracing/tracing.ts";
import { releaseMessage } from "../../../scheduler/intake/release-message.ts";
import { createFakeSqs } from "../../support/sqs-fake.ts";
import { memoryTracing, parentOf } from "../../support/memory-tracing.ts";

const T = tenantId("acme");
const UPSTREAM = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

async function releaseOne(tracing: Tracing, attributes: MessageAttributes) {
  let clock = 1_000_000;
  const sqs = createFakeSqs({ now: () => clock });
  const intake = await sqs.ensureQueue("intake-acme");
  const work = await sqs.ensureQueue("work");
  const created: JobDoc[] = [];
  const jobs = {
    create: (doc: JobDoc) => {
      created.push(doc);
      return Promise.resolve({ created: true, job: doc });
    },
  } as unknown as JobStore;
  const body = { tenantId: T, workflow: "wf", idempotencyKey: "k1", input: { secret: "payload" } };
  await sqs.send(intake.url, { body: JSON.stringify(body), attributes });
  clock += 1_500; // time in the intake queue
  const [message] = await sqs.receive(intake.url);
  const outcome = await releaseMessage(
    {
      sqs,
      workQueueUrl: work.url,
      jobs,
      reject: () => Promise.reject(new Error("not rejected here")),
      workflowVersion: () => Promise.resolve({ ok: true, version: "v1" }),
      now: () => clock,
      log: pino({ level: "silent" }),
      tracing,
    },
    T,
    { queueUrl: intake.url, queueName: "intake-acme", dlqUrl: "" },
    message!,
  );
  const [sent] = await sqs.receive(work.url);
  return { outcome, job: created[0]!, workAttributes: sent!.attributes };
}

describe("the release's trace context", () => {
  it("continues an upstream traceparent: intake under it, release under intake, carried on", async () => {
    const mem = memoryTracing();
    const r = await releaseOne(mem.tracing, { traceparent: stringAttr(UPSTREAM) });
    expect(r.outcome.kind).toBe("released");
    const [intake, release] = ["intake", "release"].map((n) => mem.spans().find((s) => s.name === n)!);
    expect(intake!.spanContext().traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(parentOf(intake!)).toBe("b7ad6b7169203331");
    expect(parentOf(release!)).toBe(intake!.spanContext().spanId);
    for (const s of [intake!, release!]) {
      expect(s.attributes[ATTR.tenant]).toBe(T);
      expect(s.attributes[ATTR.job]).toBe(r.job._id);
      expect(s.attributes[ATTR.workflow]).toBe("wf");
      expect(s.attributes[ATTR.queueWaitMs]).toBe(1_500);
      expect(JSON.stringify(s.attributes)).not.toContain("payload");
    }
    // The job document and the work message name the release span as the parent of the job's runs.
    expect(r.job.trace?.traceparent.split("-")[2]).toBe(release!.spanContext().spanId);
    expect(traceFromAttributes(r.workAttributes)).toEqual(r.job.trace);
  });

  it("a message without a traceparent starts the job's trace at the release", async () => {
    const mem = memoryTracing();
    const r = await releaseOne(mem.tracing, {});
    const intake = mem.spans().find((s) => s.name === "intake")!;
    expect(parentOf(intake)).toBeUndefined();
    expect(traceIdOf(r.job.trace!)).toBe(intake.spanContext().traceId);
    expect(traceFromAttributes(r.workAttributes)).toEqual(r.job.trace);
  });

  it("tracing off: no trace on the job, no trace attributes on the work message", async () => {
    const r = await releaseOne(NO_TRACING, { traceparent: stringAttr(UPSTREAM) });
    expect(r.outcome.kind).toBe("released");
    expect(r.job.trace).toBeUndefined();
    expect(r.workAttributes).toEqual({});
  });
});
