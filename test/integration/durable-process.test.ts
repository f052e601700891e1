import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackEnv } from "./helpers/env.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";

const ROOT = resolve(import.meta.dirname, "../..");
let fleet: TestFleet;
const children: ChildProcess[] = [];

beforeAll(async () => {
  fleet = await createTestFleet("proc");
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await fleet?.cleanup();
});

function startProcess(entry: string): {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
} {
  const { awsEndpoint, mongoUrl } = stackEnv();
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: ROOT,
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_ENDPOINT_URL: awsEndpoint,
      MONGO_URL: mongoUrl,
      LOG_LEVEL: "info",
      LOG_PRETTY: "never",
      SLUICE_SHUTDOWN_GRACE_MS: "3000",
      ...fleet.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, exited, output: () => out };
}

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("entry points", () => {
  it("workers/main.ts runs jobs, and on SIGTERM stops gracefully with exit 0", async () => {
    const p = startProcess("workers/main.ts");
    await until(() => p.output().includes("worker started"));
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
    await until(() => p.output().includes("worker started"));
    p.child.kill("SIGTERM");
    await until(() => p.output().includes("shutting down gracefully"));
    p.child.kill("SIGINT");
    expect(await p.exited).toBe(1);
  });

  it("scheduler/main.ts starts and stops on SIGINT with exit 0", async () => {
    const p = startProcess("scheduler/main.ts");
    await until(() => p.output().includes("scheduler started"));
    p.child.kill("SIGINT");
    expect(await p.exited).toBe(0);
  });
});
