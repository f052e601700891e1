/** Shared helpers for the ASL engine unit tests. */
import {
  compileMachine,
  runToCompletionSync,
  type RunOptions,
  type RunResult,
} from "../../../shared/asl/index.ts";
import type { StepDeps } from "../../../shared/asl/types.ts";

export const T0 = Date.parse("2024-05-01T10:00:00.000Z");

export const OPTS = {
  executionId: "arn:aws:states:us-east-1:123456789012:execution:sm:exec-1",
  executionName: "exec-1",
  stateMachineName: "sm",
  startTime: "2024-05-01T10:00:00.000Z",
  roleArn: "arn:aws:iam::123456789012:role/r",
};

/** Deterministic deps with a settable clock. */
export function testDeps(history = false): StepDeps & { clock: { now: number } } {
  const clock = { now: T0 };
  let n = 0;
  return {
    clock,
    now: () => clock.now,
    random: () => 0.25,
    uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
    history,
  };
}

export function run(definition: unknown, input: unknown = {}, opts: RunOptions = {}): RunResult {
  return runToCompletionSync(compileMachine(definition), input, { startMs: T0, execution: OPTS, ...opts });
}

/** A one-state machine around `state` (named "S"). */
export function single(state: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
  return {
    StartAt: "S",
    States: {
      S: {
        ...state,
        ...(state.Type === "Choice" || state.Type === "Fail" || state.Type === "Succeed"
          ? {}
          : { End: true }),
      },
    },
    ...extra,
  };
}
