/**
 * Real processes for integration tests (a scheduler, a worker, a production build's entry point):
 * started with their output captured, waited on with `until`, and SIGKILLed in `afterAll` if a test
 * left one running.
 */
import { spawn, type ChildProcess } from "node:child_process";

export interface StartedProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** The exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** The signal that ended it (null when it exited by itself). */
  readonly signal: Promise<NodeJS.Signals | null>;
}

/** The processes one test file starts; `killAll()` (in `afterAll`) ends those still running. */
export class TestProcesses {
  readonly #children: ChildProcess[] = [];

  start(
    command: string,
    args: readonly string[],
    options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv },
  ): StartedProcess {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#children.push(child);
    let all = "";
    let out = "";
    let err = "";
    child.stdout?.on("data", (d: Buffer) => {
      all += d.toString();
      out += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      all += d.toString();
      err += d.toString();
    });
    const ended = new Promise<[number | null, NodeJS.Signals | null]>((r) =>
      child.on("exit", (code, signal) => r([code, signal])),
    );
    return {
      child,
      output: () => all,
      stdout: () => out,
      stderr: () => err,
      exited: ended.then(([code]) => code),
      signal: ended.then(([, signal]) => signal),
    };
  }

  /** SIGKILLs every process started here that is still running. */
  killAll(): void {
    for (const c of this.#children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  }
}

/** What a Sluice process needs to reach the test's local stack, logging JSON lines at info. */
export function stackProcessEnv(stack: { readonly awsEndpoint: string; readonly mongoUrl: string }) {
  return {
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_ENDPOINT_URL: stack.awsEndpoint,
    MONGO_URL: stack.mongoUrl,
    LOG_LEVEL: "info",
    LOG_PRETTY: "never",
  };
}

/** Polls `check` every `intervalMs` until it holds; throws after `timeoutMs` naming `what`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  what = "the condition",
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
