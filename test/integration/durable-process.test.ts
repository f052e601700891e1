import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackProcessEnv, TestProcesses, until } from "../support/processes.ts";
import { stackEnv } from "./helpers/env.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

const ROOT = resolve(import.meta.dirname, "../..");
let fleet: TestFleet;
const processes = new TestProcesses();

beforeAll(async () => {
  fleet = await createTestFleet("proc");
});
afterAll(async () => {
  processes.killAll();
  await fleet?.cleanup();
});

function startProcess(entry: string) {
  return processes.start(process.execPath, ["--import", "tsx", entry], {
    cwd: ROOT,
    env: { ...process.env, ...stackProcessEnv(stackEnv()), SLUICE_SHUTDOWN_GRACE_MS: "3000", ...fleet.env },
  });
}

const logged = (p: { output(): string }, line: string) =>
  until(() => p.output().includes(line), 20_000, `"${line}"`, 50);

describe("entry points", () => {
  it("workers/main.ts runs jobs, and on SIGTERM stops gracefully with exit 0", async () => {
    const p = startProcess("workers/main.ts");
    await logged(p, "worker started");
    const jobId = await fleet.submit("acme", "hello", { name: "Barbara" });
    await fleet.waitForJob("acme", jobId, (j) => j.status === "complete");
    const t0 = Date.now();
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(p.output()).toContain("stopped");
  });

  it("a second signal forces exit 1", async () => {
    const p = startProcess("workers/main.ts");
    await logged(p, "worker started");
    p.child.kill("SIGTERM");
    await logged(p, "shutting down gracefully");
    p.child.kill("SIGINT");
    expect(await p.exited).toBe(1);
  });

  it("scheduler/main.ts starts and stops on SIGINT with exit 0", async () => {
    const p = startProcess("scheduler/main.ts");
    await logged(p, "scheduler started");
    p.child.kill("SIGINT");
    expect(await p.exited).toBe(0);
  });
});
