/**
 * The production build runs on a production install: `npm run build` output with only the runtime
 * dependencies (`npm ci --omit=dev`), started with plain `node` — no tsx, no TypeScript. Proves the
 * entry points' usage and a job end to end (intake → scheduler → worker → complete) on the real stack.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { stackProcessEnv, TestProcesses } from "../support/processes.ts";
import { sleep, stackEnv } from "./helpers/env.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import { productionInstall } from "./helpers/production.ts";

let dir: string;
let fleet: TestFleet;
const processes = new TestProcesses();

beforeAll(async () => {
  [dir, fleet] = await Promise.all([productionInstall(), createTestFleet("prod")]);
}, 300_000);
afterAll(async () => {
  processes.killAll();
  await fleet?.cleanup();
});

function node(entry: string, args: readonly string[], env: Record<string, string> = {}) {
  const p = processes.start(process.execPath, [resolve(dir, entry), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
  });
  return { child: p.child, exited: p.exited, out: p.stdout, err: p.stderr };
}

describe("production build on an --omit=dev install", () => {
  it("has no dev dependency installed", () => {
    expect(existsSync(resolve(dir, "node_modules/mongodb"))).toBe(true);
    expect(existsSync(resolve(dir, "node_modules/asl-validator"))).toBe(true);
    expect(existsSync(resolve(dir, "node_modules/tsx"))).toBe(false);
    expect(existsSync(resolve(dir, "node_modules/typescript"))).toBe(false);
  });

  for (const [entry, flag] of [
    ["dist/scheduler/main.js", "usage:"],
    ["dist/workers/main.js", "--no-sweeper"],
  ] as const) {
    it(`${entry} --help prints its usage and exits 0; an unknown flag exits 2`, async () => {
      const help = node(entry, ["--help"]);
      expect(await help.exited).toBe(0);
      expect(help.out()).toContain(flag);
      expect(help.out()).toContain("MONGO_URL");
      const bad = node(entry, ["--frobnicate"]);
      expect(await bad.exited).toBe(2);
      expect(bad.err()).toContain('unknown argument "--frobnicate"');
    });
  }

  it("ships the classifier model: the built classify code finds and loads dist/models", async () => {
    expect(existsSync(resolve(dir, "dist/models/classifier/v1.json"))).toBe(true);
    const script = [
      'const { loadClassifierModel } = await import("./dist/workers/ai/classify/load-model.js");',
      'const { classifyText } = await import("./dist/workers/ai/classify/model.js");',
      'console.log(classifyText(await loadClassifierModel(), "Invoice No. 42 Invoice Date 2026-01-02 Total due 12.00 EUR").type);',
    ].join("\n");
    const p = processes.start(process.execPath, ["--input-type=module", "-e", script], {
      cwd: dir,
      env: process.env,
    });
    const code = await p.exited;
    const [out, err] = [p.stdout(), p.stderr()];
    expect(code, err).toBe(0);
    expect(out.trim()).toBe("invoice");
  });

  it("runs a job end to end: intake message → scheduler → worker → complete", async () => {
    const env = {
      ...stackProcessEnv(stackEnv()),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...fleet.env,
    };
    const scheduler = node("dist/scheduler/main.js", [], env);
    const worker = node("dist/workers/main.js", [], env);
    const acme = tenantId("acme");
    const { queueUrl } = await fleet.rt.queues.intake(acme);
    const idempotencyKey = `prod-${Date.now()}`;
    await fleet.rt.sqs.send(queueUrl, {
      body: JSON.stringify({ tenantId: "acme", workflow: "hello", idempotencyKey, input: { name: "Grace" } }),
    });
    const deadline = Date.now() + 45_000;
    let job = await fleet.rt.jobsOf(acme).findByIdempotencyKey(idempotencyKey);
    while (job?.status !== "complete" && Date.now() < deadline) {
      await sleep(200);
      job = await fleet.rt.jobsOf(acme).findByIdempotencyKey(idempotencyKey);
    }
    expect(job?.status, `scheduler:\n${scheduler.err()}\nworker:\n${worker.err()}`).toBe("complete");
    expect(JSON.stringify(job?.output)).toContain("Grace");
    scheduler.child.kill("SIGTERM");
    worker.child.kill("SIGTERM");
    expect(await scheduler.exited).toBe(0);
    expect(await worker.exited).toBe(0);
  }, 90_000);
});
