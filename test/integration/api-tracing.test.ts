/**
 * The API's part of a job's trace (ADR 0027), on the real stack with the SDK's in-memory exporter: a
 * submission continues the caller's `traceparent` in its `submit` span, the job document and the
 * intake message carry the submit span's context, and the scheduler's release of that message
 * continues the same trace (its `intake` span under `submit`) into the work message.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobsApiDeps } from "../../api/jobs/jobs-runtime.ts";
import { submitJob } from "../../api/jobs/submit.ts";
import { createRejecter } from "../../scheduler/intake/reject.ts";
import { releaseMessage } from "../../scheduler/intake/release-message.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { traceFromAttributes, traceFromCarrier, traceIdOf } from "../../shared/tracing/trace-context.ts";
import { ATTR } from "../../shared/tracing/tracing.ts";
import { createWorkflowVersions } from "../../shared/workflows/versions.ts";
import { jobRoutes } from "../../api/routes/jobs.ts";
import { startJwtIssuer } from "../support/jwt-issuer.ts";
import { memoryTracing, parentOf } from "../support/memory-tracing.ts";
import { startTestApi } from "./api/helpers.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

const acme = tenantId("acme");
const CALLER = traceFromCarrier({ traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" })!;
let fleet: TestFleet;

beforeAll(async () => {
  fleet = await createTestFleet("api-trace", { tenants: ["acme"] });
});
afterAll(() => fleet?.cleanup());

describe("a submission's trace", () => {
  it("continues the caller's traceparent through submit, the intake message and the release", async () => {
    const mem = memoryTracing();
    const settings = { uploadMaxBytes: 1024, urlTtlSeconds: 60, cursorSecret: "s" };
    const { deps, flush } = jobsApiDeps(fleet.rt, fleet.catalog, settings);
    const r = await submitJob(
      { ...deps, tracing: mem.tracing },
      { tenantId: acme, subject: "alice" },
      { workflow: "hello", input: { name: "Ada" } },
      "k-trace",
      CALLER,
    );
    await flush();
    const submit = mem.spans().find((s) => s.name === "submit")!;
    expect(submit.spanContext().traceId).toBe(traceIdOf(CALLER));
    expect(parentOf(submit)).toBe("b7ad6b7169203331");
    expect(submit.attributes[ATTR.tenant]).toBe("acme");
    expect(submit.attributes[ATTR.job]).toBe(r.job._id);
    const stored = (await fleet.getJob("acme", r.job._id))!;
    expect(stored.trace?.traceparent.split("-")[2]).toBe(submit.spanContext().spanId);

    const { queueUrl, queueName, dlqUrl } = await fleet.rt.queues.intake(acme);
    const [message] = await fleet.rt.sqs.receive(queueUrl, { waitSeconds: 1 });
    expect(traceFromAttributes(message!.attributes)).toEqual(stored.trace);

    const workflows = createWorkflowVersions(fleet.rt, fleet.catalog);
    const outcome = await releaseMessage(
      {
        sqs: fleet.rt.sqs,
        workQueueUrl: fleet.rt.queues.work,
        jobs: fleet.rt.jobsOf(acme),
        reject: createRejecter({ sqs: fleet.rt.sqs, blobs: fleet.rt.blobs }),
        workflowVersion: (name) => workflows.current(name),
        now: Date.now,
        log: fleet.rt.log,
        tracing: mem.tracing,
      },
      acme,
      { queueUrl, queueName, dlqUrl },
      message!,
    );
    expect(outcome.kind).toBe("released");
    const intake = mem.spans().find((s) => s.name === "intake")!;
    const release = mem.spans().find((s) => s.name === "release")!;
    expect(parentOf(intake)).toBe(submit.spanContext().spanId);
    expect(release.spanContext().traceId).toBe(traceIdOf(CALLER));
    const [work] = await fleet.rt.sqs.receive(fleet.rt.queues.work, { waitSeconds: 1 });
    const carried = traceFromAttributes(work!.attributes)!;
    expect(traceIdOf(carried)).toBe(traceIdOf(CALLER));
    expect(carried.traceparent.split("-")[2]).toBe(release.spanContext().spanId);
  });
});

describe("a submission's trace over real HTTP", () => {
  it("continues the traceparent header of a real request with a real token; a malformed one starts a new trace", async () => {
    const mem = memoryTracing();
    const settings = {
      uploadMaxBytes: 1024,
      urlTtlSeconds: 60,
      cursorSecret: "http-trace-secret-0123456789",
    };
    const { deps, actions, flush } = jobsApiDeps(fleet.rt, fleet.catalog, settings);
    const issuer = await startJwtIssuer();
    const api = await startTestApi(fleet, issuer, {
      routes: [jobRoutes({ ...deps, tracing: mem.tracing }, actions)],
    });
    try {
      const token = await issuer.sign({ "custom:tenant_id": "acme", sub: "alice", scope: "sluice/submit" });
      const post = (key: string, traceparent: string) =>
        api.call("POST", "/v1/jobs", {
          token,
          body: { workflow: "hello", input: { name: "Ada" } },
          headers: { "idempotency-key": key, traceparent },
        });
      const res = await post("k-http-trace", CALLER.traceparent);
      expect(res.status, res.text).toBe(202);
      const { jobId } = res.json as { jobId: string };
      await flush();
      const stored = (await fleet.getJob("acme", jobId))!;
      expect(traceIdOf(stored.trace!)).toBe(traceIdOf(CALLER));
      const submit = mem.spans().find((sp) => sp.attributes[ATTR.job] === jobId)!;
      expect(parentOf(submit)).toBe("b7ad6b7169203331");

      const bad = await post("k-http-bad-trace", "00-not-a-trace-01");
      expect(bad.status, bad.text).toBe(202);
      const other = (await fleet.getJob("acme", (bad.json as { jobId: string }).jobId))!;
      expect(other.trace).toBeDefined();
      expect(traceIdOf(other.trace!)).not.toBe(traceIdOf(CALLER));
    } finally {
      await api.close();
      await issuer.close();
    }
  });
});
