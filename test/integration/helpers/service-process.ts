/**
 * A Sluice service (scheduler, worker, API) as a real child process on the local stack, with its
 * output captured, and a poll-until helper for what it does. Killed by `killAll` if still running.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { stackEnv } from "./env.ts";

const ROOT = resolve(import.meta.dirname, "../../..");

export interface ServiceProcess {
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Its exit code (null: killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGTERM (graceful stop) and its exit code. */
  stop(): Promise<number | null>;
}

export class ServiceProcesses {
  readonly #children: ChildProcess[] = [];

  /** Starts `entry` (e.g. `scheduler/main.ts`) with the stack's endpoints, `fleetEnv` and `env`. */
  start(
    entry: string,
    fleetEnv: Readonly<Record<string, string>>,
    env: Record<string, string> = {},
  ): ServiceProcess {
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
        ...fleetEnv,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#children.push(child);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    return {
      output: () => out,
      exited,
      stop: () => {
        if (child.exitCode === null) child.kill("SIGTERM");
        return exited;
      },
    };
  }

  killAll(): void {
    for (const c of this.#children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  }
}

/** Polls `check` every 100 ms until it holds; throws after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}
