/**
 * Tracing end to end: the scheduler and a worker as real processes export over OTLP/HTTP to a local
 * receiver (test/support/otlp-receiver.ts) while jobs of the `hello` workflow (Pass `Prepare` → Task
 * `Greet`, the `greet` step) run. One trace per job covers intake, release, the job's run, each
 * state and the step, in that order, with the tenant on every span; an upstream's `traceparent` on
 * the intake message is continued; the job document keeps the trace. The spans arrive by the
 * processes' graceful shutdown (the export delay is longer than the test). With no endpoint
 * configured nothing is sent and no job carries a trace.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringAttr, type MessageAttributes } from "../../shared/aws/sqs-port.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { traceIdOf } from "../../shared/tracing/trace-context.ts";
import { ATTR } from "../../shared/tracing/tracing.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import { ServiceProcesses, until, type ServiceProcess } from "./helpers/service-process.ts";
import { runCli } from "../../cli/run.ts";

const UPSTREAM_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const UPSTREAM_SPAN = "00f067aa0ba902b7";
let fleet: TestFleet;
let receiver: OtlpReceiver;
const processes = new ServiceProcesses();

beforeAll(async () => {
  fleet = await createTestFleet("tracing", { tenants: ["acme"] });
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  processes.killAll();
  await receiver?.close();
  await fleet?.cleanup();
});

async function send(key: string, attributes: MessageAttributes = {}): Promise<void> {
  const { queueUrl } = await fleet.rt.queues.intake("acme" as never);
  await fleet.rt.sqs.send(queueUrl, {
    body: JSON.stringify({ tenantId: "acme", workflow: "hello", idempotencyKey: key, input: { name: key } }),
    attributes,
  });
}

const jobsCollection = () => fleet.rt.fleetDb.collection<JobDoc>("jobs");
const jobOf = async (key: string) => (await jobsCollection().findOne({ idempotencyKey: key }))!;

async function runUntilComplete(env: Record<string, string>, keys: string[], start: () => Promise<void>) {
  const scheduler = processes.start("scheduler/main.ts", fleet.env, env);
  const worker = processes.start("workers/main.ts", fleet.env, env);
  const both: ServiceProcess[] = [scheduler, worker];
  await until(
    () => scheduler.output().includes("scheduler started") && worker.output().includes("worker started"),
  );
  await start();
  await until(
    async () =>
      (await jobsCollection().countDocuments({ idempotencyKey: { $in: keys }, status: "complete" })) ===
      keys.length,
    60_000,
  ).catch((err: unknown) => {
    console.log(scheduler.output().slice(-3000), worker.output().slice(-3000));
    throw err;
  });
  // Graceful stops: each process sends what its batch span processor still holds.
  expect(await Promise.all(both.map((p) => p.stop()))).toEqual([0, 0]);
  return { scheduler, worker };
}

/** `sluice jobs timeline acme <jobId> [--json]`: its output. */
async function timeline(jobId: string, ...flags: string[]): Promise<string> {
  let out = "";
  const env = { ...process.env, ...fleet.env, LOG_LEVEL: "silent" };
  const code = await runCli(["jobs", "timeline", "acme", jobId, ...flags], {
    out: (t) => void (out += t),
    err: () => undefined,
    env,
  });
  expect(code).toBe(0);
  return out;
}

const startNs = (s: ReceivedSpan) => s.start;
const MS = 1_000_000n;

describe("tracing over OTLP/HTTP", () => {
  it("one trace per job across intake, release, its states and its step, in order, tenant on every span", async () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, SLUICE_TRACING_EXPORT_DELAY_MS: "60000" };
    await runUntilComplete(env, ["up", "fresh"], async () => {
      await send("up", { traceparent: stringAttr(`00-${UPSTREAM_TRACE}-${UPSTREAM_SPAN}-01`) });
      await send("fresh");
    });

    for (const key of ["up", "fresh"]) {
      const job = await jobOf(key);
      const spans = receiver.spans.filter((s) => s.attributes[ATTR.job] === job._id);
      const named = (name: string) => {
        const found = spans.filter((s) => s.name === name);
        expect(found, `${key}: ${name}`).toHaveLength(1);
        return found[0]!;
      };
      const intake = named("intake");
      const release = named("release");
      const run = named("job");
      const prepare = named("state Prepare");
      const greet = named("state Greet");
      const step = named("step greet");

      // One trace: the job document's, for every span of the job.
      expect(job.trace).toBeDefined();
      const traceId = traceIdOf(job.trace!);
      expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
      if (key === "up") {
        expect(traceId).toBe(UPSTREAM_TRACE);
        expect(intake.parentSpanId).toBe(UPSTREAM_SPAN);
      } else {
        expect(intake.parentSpanId).toBeUndefined();
      }
      // The tree: intake → release → job → states → step.
      expect(release.parentSpanId).toBe(intake.spanId);
      expect(run.parentSpanId).toBe(release.spanId);
      expect(prepare.parentSpanId).toBe(run.spanId);
      expect(greet.parentSpanId).toBe(run.spanId);
      expect(step.parentSpanId).toBe(greet.spanId);
      // In order.
      const ordered = [intake, release, run, prepare, greet, step];
      expect(
        [...ordered].sort((a, b) => (startNs(a) < startNs(b) ? -1 : startNs(a) > startNs(b) ? 1 : 0)),
      ).toEqual(ordered);
      // The SDK starts spans on Date.now() (whole ms) and ends them by a precise duration from
      // there, so ends compare to other spans' times within a millisecond.
      expect(prepare.end <= greet.start + MS).toBe(true);
      expect(step.end <= greet.end + MS).toBe(true);
      expect(greet.end <= run.end + MS).toBe(true);
      // Which process made which span.
      expect([intake, release].map((s) => s.service)).toEqual(["sluice-scheduler", "sluice-scheduler"]);
      expect(new Set([run, prepare, greet, step].map((s) => s.service))).toEqual(new Set(["sluice-worker"]));
      // Attributes: tenant on every span, never the payload.
      for (const s of spans) {
        expect(s.attributes[ATTR.tenant]).toBe("acme");
        expect(JSON.stringify(s.attributes)).not.toContain(`"name"`);
      }
      expect(intake.attributes[ATTR.workflow]).toBe("hello");
      expect(typeof intake.attributes[ATTR.queueWaitMs]).toBe("number");
      expect(step.attributes[ATTR.resource]).toBe("greet");
      expect(step.attributes[ATTR.stepAttempt]).toBe(0);
      expect(greet.attributes[ATTR.stateType]).toBe("Task");
      expect(run.attributes[ATTR.outcome]).toBe("complete");
      expect(run.events).toContain("checkpoint");

      // The timeline, from the job document alone, names the trace.
      expect((await timeline(job._id)).split("\n")[0]).toBe(`trace ${traceId}`);
      expect(JSON.parse(await timeline(job._id, "--json"))).toMatchObject({ traceId });
    }
  });

  it("with no endpoint configured nothing is sent and no job carries a trace", async () => {
    const before = receiver.requests;
    const { worker } = await runUntilComplete({}, ["off"], () =>
      send("off", { traceparent: stringAttr(`00-${UPSTREAM_TRACE}-${UPSTREAM_SPAN}-01`) }),
    );
    // Both processes have exited after a graceful stop (which would have flushed any span).
    expect(receiver.requests).toBe(before);
    const off = await jobOf("off");
    expect(off.trace).toBeUndefined();
    expect(await timeline(off._id)).not.toContain("trace");
    expect(JSON.parse(await timeline(off._id, "--json"))).not.toHaveProperty("traceId");
    expect(worker.output()).not.toContain("tracing: exporting spans");
  });
});
