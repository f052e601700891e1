/**
 * The job endpoints over real HTTP with real signed tokens on the real stack: every endpoint's happy
 * path, another tenant on every path, and bad input with its documented code and nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobsApiDeps } from "../../../api/jobs/jobs-runtime.ts";
import { jobRoutes } from "../../../api/routes/jobs.ts";
import { COLLECTIONS } from "../../../shared/mongo/collections.ts";
import { startJwtIssuer, type JwtIssuer } from "../../support/jwt-issuer.ts";
import { TEST_WORKFLOW_DIRS, testSteps } from "../fixtures/steps.ts";
import { createTestFleet, type TestFleet } from "../helpers/fleet.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

const ALL = "sluice/submit sluice/read sluice/review";
let fleet: TestFleet;
let issuer: JwtIssuer;
let api: TestApi;
let acme: string;
let globex: string;

beforeAll(async () => {
  fleet = await createTestFleet("api-jobs", {
    tenants: ["acme", "globex"],
    workflowsDir: TEST_WORKFLOW_DIRS,
    steps: testSteps(),
  });
  issuer = await startJwtIssuer();
  const { deps, actions } = jobsApiDeps(fleet.rt, fleet.catalog, {
    uploadMaxBytes: 1024,
    urlTtlSeconds: 60,
    cursorSecret: "http-test-secret-0123456789",
  });
  api = await startTestApi(fleet, issuer, { routes: [jobRoutes(deps, actions)] });
  acme = await issuer.sign({ "custom:tenant_id": "acme", sub: "alice", scope: ALL });
  globex = await issuer.sign({ "custom:tenant_id": "globex", sub: "gina", scope: ALL });
  await fleet.startWorker();
});
afterAll(async () => {
  await api?.close();
  await issuer?.close();
  await fleet?.cleanup();
});

const jobs = () => fleet.rt.fleetDb.collection(COLLECTIONS.jobs);
const errorCode = (json: unknown) => (json as { error: { code: string } }).error.code;
const submit = (token: string, key: string | undefined, body: unknown) =>
  api.call("POST", "/v1/jobs", {
    token,
    body,
    ...(key !== undefined ? { headers: { "idempotency-key": key } } : {}),
  });

describe("job endpoints over HTTP", () => {
  it("submit (202 + Location, replay 200, conflict 409), get, list, workflows", async () => {
    const res = await submit(acme, "h-1", { workflow: "hello", input: { name: "Ada" }, priority: "high" });
    expect(res.status, res.text).toBe(202);
    const { jobId } = res.json as { jobId: string };
    expect(res.headers.get("location")).toBe(`/v1/jobs/${jobId}`);
    const replay = await submit(acme, "h-1", { input: { name: "Ada" }, workflow: "hello" });
    expect([replay.status, replay.json]).toEqual([200, { jobId, status: "queued" }]);
    const conflict = await submit(acme, "h-1", { workflow: "hello", input: { name: "Bob" } });
    expect([conflict.status, errorCode(conflict.json)]).toEqual([409, "idempotency_conflict"]);

    const got = await api.call("GET", `/v1/jobs/${jobId}`, { token: acme });
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ jobId, status: "queued", priority: "high", awaitingRelease: true });
    const list = await api.call("GET", "/v1/jobs?limit=5&status=queued", { token: acme });
    expect((list.json as { jobs: { jobId: string }[] }).jobs.map((j) => j.jobId)).toContain(jobId);
    const wf = await api.call("GET", "/v1/workflows", { token: acme });
    expect((wf.json as { workflows: { name: string }[] }).workflows.map((w) => w.name)).toContain("hello");
  });

  it("another tenant's job is a missing job on get, cancel, retry and review", async () => {
    const jobId = await fleet.submit("acme", "review-demo", { text: "Invoice 9: 10 EUR" });
    await fleet.waitForJob("acme", jobId, (j) => j.status === "needs_review");
    const before = await fleet.getJob("acme", jobId);
    const missing = jobId.slice(0, -3) + "ZZZ";
    const paths: [string, string, unknown?][] = [
      ["GET", `/v1/jobs/{id}`],
      ["POST", `/v1/jobs/{id}/cancel`, {}],
      ["POST", `/v1/jobs/{id}/retry`, {}],
      ["POST", `/v1/jobs/{id}/review`, { decision: "approve", output: { stolen: true } }],
    ];
    for (const [method, path, body] of paths) {
      const theirs = await api.call(method, path.replace("{id}", jobId), { token: globex, body });
      const nobody = await api.call(method, path.replace("{id}", missing), { token: globex, body });
      expect(theirs.status, `${method} ${path}`).toBe(404);
      expect(errorCode(theirs.json)).toBe("job_not_found");
      expect(theirs.text.replace(jobId, "<id>")).toBe(nobody.text.replace(missing, "<id>"));
    }
    expect(await fleet.getJob("acme", jobId)).toEqual(before);
    // The owner decides; then cancel of the finished job is invalid_state.
    const ok = await api.call("POST", `/v1/jobs/${jobId}/review`, {
      token: acme,
      body: { decision: "approve", output: { type: "invoice" } },
    });
    expect(ok.status, ok.text).toBe(200);
    await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    const cancel = await api.call("POST", `/v1/jobs/${jobId}/cancel`, { token: acme, body: {} });
    expect([cancel.status, errorCode(cancel.json)]).toEqual([409, "invalid_state"]);
    const retry = await api.call("POST", `/v1/jobs/${jobId}/retry`, { token: acme, body: {} });
    expect([retry.status, errorCode(retry.json)]).toEqual([409, "invalid_state"]);
  });

  it("upload + submit by reference; another tenant's reference is input_not_found", async () => {
    const up = await api.call("POST", "/v1/uploads", { token: acme, body: { bytes: 2 } });
    expect(up.status, up.text).toBe(201);
    const grant = up.json as { url: string; headers: Record<string, string>; inputRef: { key: string } };
    // No SDK checksum of an empty body in the URL: a plain `curl -T` of the file works on S3 too.
    expect(grant.url).not.toMatch(/x-amz-checksum|x-amz-sdk-checksum/i);
    expect((await fetch(grant.url, { method: "PUT", headers: grant.headers, body: "{}" })).status).toBe(200);
    const mine = await submit(acme, "u-1", { workflow: "hello", inputRef: grant.inputRef });
    expect(mine.status, mine.text).toBe(202);
    const theirs = await submit(globex, "u-2", { workflow: "hello", inputRef: grant.inputRef });
    const none = await submit(globex, "u-3", {
      workflow: "hello",
      inputRef: { key: "tenants/globex/uploads/api/nothing" },
    });
    expect([theirs.status, errorCode(theirs.json)]).toEqual([422, "input_not_found"]);
    expect((theirs.json as { error: { message: string } }).error.message).toBe(
      (none.json as { error: { message: string } }).error.message,
    );
    const big = await api.call("POST", "/v1/uploads", { token: acme, body: { bytes: 5000 } });
    expect([big.status, errorCode(big.json)]).toEqual([413, "upload_too_large"]);
  });

  it("bad input answers its code and writes nothing", async () => {
    const before = await jobs().countDocuments({});
    const cases: [string | undefined, { body?: unknown; rawBody?: string }, number, string][] = [
      [undefined, { body: { workflow: "hello" } }, 400, "idempotency_key_required"],
      ["b-1", { rawBody: '{"workflow": "hello",' }, 400, "invalid_json"],
      ["b-2", { body: { workflow: 42 } }, 400, "invalid_request"],
      ["b-3", { body: { workflow: "hello", priority: "urgent" } }, 400, "invalid_request"],
      ["b-4", { body: { workflow: "hello", extra: 1 } }, 400, "invalid_request"],
      ["b-5", { body: { workflow: "no-such-flow" } }, 422, "unknown_workflow"],
      ["b-6", { body: { workflow: "hello", input: { x: "y".repeat(210_000) } } }, 413, "input_too_large"],
      [
        "b-7",
        { body: { workflow: "hello", input: {}, inputRef: { key: "tenants/acme/uploads/x" } } },
        400,
        "invalid_request",
      ],
    ];
    for (const [key, o, status, code] of cases) {
      const res = await api.call("POST", "/v1/jobs", {
        token: acme,
        ...o,
        ...(key !== undefined ? { headers: { "idempotency-key": key } } : {}),
      });
      expect([res.status, errorCode(res.json)], `${key}: ${res.text}`).toEqual([status, code]);
    }
    const badCursor = await api.call("GET", "/v1/jobs?cursor=abc.def", { token: acme });
    expect([badCursor.status, errorCode(badCursor.json)]).toEqual([400, "invalid_cursor"]);
    const badLimit = await api.call("GET", "/v1/jobs?limit=0", { token: acme });
    expect(badLimit.status).toBe(400);
    expect(await jobs().countDocuments({})).toBe(before);
  });
});
