/**
 * The example project (examples/custom-step) as a user runs it: installed next to a production
 * build of Sluice (`"sluice": "file:../.."` resolves to the build's package, whose `exports` point at
 * dist/), its step module and workflow folder given to Sluice's own worker by configuration
 * (`SLUICE_STEPS`, `SLUICE_WORKFLOWS_DIR`) and, in a second run, its own `worker.js` through
 * `startWorker`. The scheduler reads the same workflows folder and learns the step's name from the
 * worker's heartbeat. One job each, end to end on the stack; plus a clash that exits 2.
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { stackProcessEnv, TestProcesses } from "../support/processes.ts";
import { sleep, stackEnv } from "./helpers/env.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import { productionInstall } from "./helpers/production.ts";

const EXAMPLE_SRC = resolve(import.meta.dirname, "../../examples/custom-step");
let prod: string;
let example: string;
let fleet: TestFleet;
const processes = new TestProcesses();

function run(
  cmd: string,
  args: readonly string[],
  cwd: string,
): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    let out = "";
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => done({ code, out }));
  });
}

beforeAll(async () => {
  [prod, fleet] = await Promise.all([
    productionInstall(),
    createTestFleet("example", { tenants: ["acme", "globex"] }),
  ]);
  // Where `file:../..` is the production build's package (what `npm install` of a published sluice gives).
  example = resolve(prod, "examples/custom-step");
  rmSync(example, { recursive: true, force: true });
  cpSync(EXAMPLE_SRC, example, { recursive: true });
  const install = await run(
    "npm",
    ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts"],
    example,
  );
  expect(install.code, install.out).toBe(0);
}, 300_000);
afterAll(async () => {
  processes.killAll();
  await fleet?.cleanup();
});

function node(args: readonly string[], env: Record<string, string>) {
  const p = processes.start(process.execPath, args, {
    cwd: example,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      ...stackProcessEnv(stackEnv()),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...fleet.env,
      ...env,
    },
  });
  return { child: p.child, exited: p.exited, out: p.output };
}

const acme = tenantId("acme");
const globex = tenantId("globex");

/** Waits for the worker's start line: the scheduler learns the custom step's name from its heartbeat. */
async function started(out: () => string) {
  const deadline = Date.now() + 30_000;
  while (!out().includes("worker started") && Date.now() < deadline) await sleep(100);
  expect(out()).toContain("worker started");
}

async function wordReportJob(text: string, logs: () => string, tenant = acme) {
  const { key } = await fleet.rt.blobs.put(tenant, ["uploads", `notes-${Date.now()}.txt`], text);
  const { queueUrl } = await fleet.rt.queues.intake(tenant);
  const idempotencyKey = `example-${Date.now()}-${Math.random()}`;
  await fleet.rt.sqs.send(queueUrl, {
    body: JSON.stringify({
      tenantId: tenant,
      workflow: "word-report",
      idempotencyKey,
      input: { document: { key } },
    }),
  });
  const deadline = Date.now() + 45_000;
  let job = await fleet.rt.jobsOf(tenant).findByIdempotencyKey(idempotencyKey);
  while (job?.status !== "complete" && job?.status !== "failed" && Date.now() < deadline) {
    await sleep(200);
    job = await fleet.rt.jobsOf(tenant).findByIdempotencyKey(idempotencyKey);
  }
  expect(job?.status, logs()).toBe("complete");
  return job;
}

describe("examples/custom-step on a production build", () => {
  it("installs against the build: `sluice` resolves to dist through package exports", () => {
    expect(existsSync(resolve(example, "node_modules/sluice/dist/workers/lib.js"))).toBe(true);
    expect(existsSync(resolve(example, "node_modules/sluice/dist/workers/lib.d.ts"))).toBe(true);
  });

  it("SLUICE_STEPS + SLUICE_WORKFLOWS_DIR: Sluice's worker and scheduler run the example's job", async () => {
    const env = { SLUICE_STEPS: "./steps/index.js", SLUICE_WORKFLOWS_DIR: "./workflows" };
    const worker = node(["node_modules/sluice/dist/workers/main.js"], env);
    const scheduler = node(["node_modules/sluice/dist/scheduler/main.js"], {
      SLUICE_WORKFLOWS_DIR: "./workflows",
      // Long polls (the default): the regression test of session 17's KNOWN BUG — the scheduler of
      // the test before abandoned its polls, which LocalStack kept open and which took this test's
      // message for a 60 s visibility (now 10 s, see `abandoned-long-poll.test.ts`).
      SLUICE_INTAKE_LONG_POLL_SECONDS: "20",
    });
    const logs = () => `worker:\n${worker.out()}\nscheduler:\n${scheduler.out()}`;
    await started(worker.out);
    const job = await wordReportJob("the cat and the dog and the bird", logs);
    const out = JSON.stringify(job?.output);
    expect(out).toContain('"words":8');
    expect(out).toContain('"top":["the","and","bird"]');
    const report = await fleet.rt.blobs.getJson(acme, ["jobs", job?._id ?? "", "reports", "word-count.json"]);
    expect(report).toEqual({ words: 8, top: ["the", "and", "bird"] });
    worker.child.kill("SIGTERM");
    scheduler.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    expect(await scheduler.exited).toBe(0);
  }, 90_000);

  it("the example's own worker.js (startWorker) runs it too", async () => {
    const worker = node(["worker.js"], {});
    const scheduler = node(["node_modules/sluice/dist/scheduler/main.js"], {
      SLUICE_WORKFLOWS_DIR: "./workflows",
      // Long polls (the default): the regression test of session 17's KNOWN BUG — the scheduler of
      // the test before abandoned its polls, which LocalStack kept open and which took this test's
      // message for a 60 s visibility (now 10 s, see `abandoned-long-poll.test.ts`).
      SLUICE_INTAKE_LONG_POLL_SECONDS: "20",
    });
    await started(worker.out);
    // Another tenant than the test before, as a user would; its scheduler's abandoned long polls hold
    // any tenant's next message for at most the long poll's 10 s visibility (ADR 0023).
    const job = await wordReportJob(
      "one two two",
      () => `worker:\n${worker.out()}\nscheduler:\n${scheduler.out()}`,
      globex,
    );
    expect(JSON.stringify(job?.output)).toContain('"top":["two","one"]');
    worker.child.kill("SIGTERM");
    scheduler.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    expect(await scheduler.exited).toBe(0);
  }, 90_000);

  it("a step module whose step clashes with a built-in exits 2 with the reason", async () => {
    const worker = node(["node_modules/sluice/dist/workers/main.js"], {
      SLUICE_STEPS: "./steps/index.js,./steps/word-count.js",
    });
    expect(await worker.exited).toBe(2);
    expect(worker.out()).toContain(
      'SLUICE_STEPS: ./steps/word-count.js: step "word-count" clashes with the step of ./steps/index.js',
    );
  }, 30_000);
});
