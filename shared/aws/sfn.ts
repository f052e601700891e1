import { readFile } from "node:fs/promises";
import { basename, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
  UpdateStateMachineCommand,
  type DescribeExecutionOutput,
  type ExecutionStatus,
  type SFNClient,
} from "@aws-sdk/client-sfn";
import { AwsAdapterError, awsCall, isAwsError } from "./errors.ts";

/**
 * The Step Functions port. Proves the SFN wire today (LocalStack); later issues run the same
 * workflows on AWS Step Functions for differential tests.
 */
export interface ExecutionInfo {
  readonly executionArn: string;
  readonly status: ExecutionStatus;
  /** Parsed JSON output, when the execution succeeded. */
  readonly output: unknown;
  readonly error: string | undefined;
  readonly cause: string | undefined;
  readonly startDate: Date | undefined;
  readonly stopDate: Date | undefined;
}

export interface DeployResult {
  readonly name: string;
  readonly arn: string;
  /** `created`: new; `updated`: definition changed; `unchanged`: identical definition found. */
  readonly outcome: "created" | "updated" | "unchanged";
}

export interface WaitOptions {
  /** Default 60 s. */
  readonly timeoutMs?: number;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly signal?: AbortSignal;
}

export interface SfnPort {
  /** Creates the state machine, or updates its definition if one with this name exists. */
  deployStateMachine(name: string, definition: object): Promise<DeployResult>;
  startExecution(
    stateMachineArn: string,
    input: unknown,
    options?: { name?: string },
  ): Promise<{ executionArn: string }>;
  describeExecution(executionArn: string): Promise<ExecutionInfo>;
  /** Polls with exponential backoff until the execution leaves RUNNING (or PENDING_REDRIVE). */
  waitForExecution(executionArn: string, options?: WaitOptions): Promise<ExecutionInfo>;
  /** Idempotent. */
  deleteStateMachine(stateMachineArn: string): Promise<void>;
}

const call = <T>(context: string, fn: () => Promise<T>) => awsCall("sfn", context, fn);

/** Repo's `statemachines/` directory. */
export function statemachinesDir(): string {
  return fileURLToPath(new URL("../../statemachines/", import.meta.url));
}

/** Reads a definition file (a name inside `statemachines/`, or a path) and returns name and JSON. */
export async function readStateMachineFile(file: string): Promise<{ name: string; definition: object }> {
  const path = isAbsolute(file) ? file : resolve(statemachinesDir(), file);
  const text = await readFile(path, "utf8");
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON: ${(err as Error).message}`);
  }
  if (typeof definition !== "object" || definition === null || !("StartAt" in definition)) {
    throw new Error(`${path}: not an ASL definition (no StartAt)`);
  }
  return { name: basename(path).replace(/\.asl\.json$|\.json$/, ""), definition };
}

/** `deployStateMachine` from a file in `statemachines/`; the name defaults to the file's base name. */
export async function deployStateMachineFile(
  sfn: SfnPort,
  file: string,
  name?: string,
): Promise<DeployResult> {
  const read = await readStateMachineFile(file);
  return sfn.deployStateMachine(name ?? read.name, read.definition);
}

function toInfo(executionArn: string, d: DescribeExecutionOutput): ExecutionInfo {
  let output: unknown = undefined;
  if (d.output !== undefined) {
    try {
      output = JSON.parse(d.output);
    } catch {
      output = d.output;
    }
  }
  return {
    executionArn,
    status: d.status ?? "RUNNING",
    output,
    error: d.error,
    cause: d.cause,
    startDate: d.startDate,
    stopDate: d.stopDate,
  };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((res, rej) => {
    const timer = setTimeout(res, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        rej(new AwsAdapterError("sfn", "Aborted", "sfn wait aborted"));
      },
      { once: true },
    );
  });

export function createSfnAdapter(client: SFNClient, roleArn: string): SfnPort {
  async function findArn(name: string): Promise<string | undefined> {
    let nextToken: string | undefined;
    do {
      const page = await call("list state machines", () =>
        client.send(new ListStateMachinesCommand({ nextToken })),
      );
      const hit = page.stateMachines?.find((m) => m.name === name);
      if (hit?.stateMachineArn) return hit.stateMachineArn;
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  }

  const port: SfnPort = {
    async deployStateMachine(name, definition) {
      const text = JSON.stringify(definition);
      const existing = await findArn(name);
      if (existing) {
        const current = await call(`describe ${name}`, () =>
          client.send(new DescribeStateMachineCommand({ stateMachineArn: existing })),
        );
        const same = current.definition !== undefined && sameJson(current.definition, text);
        if (same) return { name, arn: existing, outcome: "unchanged" };
        await call(`update ${name}`, () =>
          client.send(
            new UpdateStateMachineCommand({ stateMachineArn: existing, definition: text, roleArn }),
          ),
        );
        return { name, arn: existing, outcome: "updated" };
      }
      try {
        const res = await call(`create ${name}`, () =>
          client.send(new CreateStateMachineCommand({ name, definition: text, roleArn, type: "STANDARD" })),
        );
        return { name, arn: res.stateMachineArn ?? "", outcome: "created" };
      } catch (err) {
        // Lost a race with another deployer: converge by updating.
        if (!isAwsError(err, "AlreadyExists")) throw err;
        return port.deployStateMachine(name, definition);
      }
    },

    async startExecution(stateMachineArn, input, options = {}) {
      const res = await call(`start ${stateMachineArn}`, () =>
        client.send(
          new StartExecutionCommand({
            stateMachineArn,
            input: JSON.stringify(input ?? {}),
            name: options.name,
          }),
        ),
      );
      return { executionArn: res.executionArn ?? "" };
    },

    async describeExecution(executionArn) {
      const d = await call(`describe ${executionArn}`, () =>
        client.send(new DescribeExecutionCommand({ executionArn })),
      );
      return toInfo(executionArn, d);
    },

    async waitForExecution(executionArn, options = {}) {
      const deadline = Date.now() + (options.timeoutMs ?? 60_000);
      let delay = options.initialDelayMs ?? 100;
      for (;;) {
        const info = await port.describeExecution(executionArn);
        if (info.status !== "RUNNING" && info.status !== "PENDING_REDRIVE") return info;
        if (Date.now() + delay > deadline) {
          throw new AwsAdapterError(
            "sfn",
            "Unavailable",
            `sfn wait for ${executionArn}: still RUNNING at timeout`,
          );
        }
        await sleep(delay, options.signal);
        delay = Math.min(delay * 2, options.maxDelayMs ?? 2_000);
      }
    },

    async deleteStateMachine(stateMachineArn) {
      try {
        await call(`delete ${stateMachineArn}`, () =>
          client.send(new DeleteStateMachineCommand({ stateMachineArn })),
        );
      } catch (err) {
        if (!isAwsError(err, "NotFound")) throw err;
      }
    },
  };
  return port;
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return a === b;
  }
}
