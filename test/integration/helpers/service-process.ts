/**
 * A Sluice service (scheduler, worker, API) as a real child process on the local stack, with its
 * output captured, and a poll-until helper for what it does. Killed by `killAll` if still running.
 * Built on test/support/processes.ts (the helper every process-spawning test uses).
 */
import { resolve } from "node:path";
import { stackProcessEnv, TestProcesses, until } from "../../support/processes.ts";
import { stackEnv } from "./env.ts";

export { until };

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
  readonly #processes = new TestProcesses();

  /** Starts `entry` (e.g. `scheduler/main.ts`) with the stack's endpoints, `fleetEnv` and `env`. */
  start(
    entry: string,
    fleetEnv: Readonly<Record<string, string>>,
    env: Record<string, string> = {},
  ): ServiceProcess {
    const p = this.#processes.start(process.execPath, ["--import", "tsx", entry], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...stackProcessEnv(stackEnv()),
        SLUICE_SHUTDOWN_GRACE_MS: "3000",
        ...fleetEnv,
        ...env,
      },
    });
    return {
      output: p.output,
      exited: p.exited,
      stop: () => {
        if (p.child.exitCode === null) p.child.kill("SIGTERM");
        return p.exited;
      },
    };
  }

  killAll(): void {
    this.#processes.killAll();
  }
}
