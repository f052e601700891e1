/**
 * Drives Sluice's engine (shared/asl) on a benchmark machine, one `step` at a time, the way a
 * worker does: every `step` returns a new, JSON-serializable execution state (the checkpoint).
 * The serializing variants also produce the full checkpoint text of that state after every step:
 * with `serializeExecution` (the same text as JSON.stringify, assembled from the cached texts of
 * the parts the state shares with the previous one) or, for comparison, with plain JSON.stringify.
 */
import { compileMachine, serializeExecution, startExecution, step } from "../../shared/asl/index.ts";
import type { ExecutionOptions, ExecutionState, StepDeps } from "../../shared/asl/types.ts";
import type { BenchMachine } from "./machines.ts";
import { SizeStats } from "../lib/stats.ts";

export interface SluiceRun {
  output: unknown;
  /** `step` calls made. */
  steps: number;
  /** UTF-16 length of the serialized state summed over steps (0 without serialization). */
  serializedChars: number;
}

/** How the checkpoint text is produced after every step. */
export type Serialization = "none" | "serializeExecution" | "JSON.stringify";

export interface SluiceRunner {
  /** One execution; `true` = serializeExecution after every step, `false` = none. */
  run(serialize: Serialization | boolean): SluiceRun;
  /** One execution measuring the serialized checkpoint after every step, in bytes (UTF-8). */
  checkpointSizes(): { steps: number; stats: SizeStats };
  /** One execution checking that serializeExecution's text is JSON.stringify's after every step. */
  checkSerialization(): void;
}

/** Deterministic, cheap injected deps: a fixed clock, an LCG and counter UUIDs. */
export function benchDeps(): StepDeps {
  let seed = 42;
  let uuids = 0;
  return {
    now: () => 1_700_000_000_000,
    random: () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    },
    uuid: () => `00000000-0000-4000-8000-${(++uuids).toString(16).padStart(12, "0")}`,
  };
}

const OPTIONS: ExecutionOptions = {
  executionId: "arn:aws:states:us-east-1:123456789012:execution:bench:run",
  executionName: "run",
  stateMachineName: "bench",
  startTime: "2023-11-14T22:13:20.000Z",
};

export function sluiceRunner(m: BenchMachine): SluiceRunner {
  const machine = compileMachine(m.definition);
  const deps = benchDeps();

  /**
   * Runs to the end, calling `onState` with the state after every step. Like the engine's own
   * driver it tests `state.end` rather than `status()` (which walks the whole frame tree).
   */
  function drive(onState: ((s: ExecutionState) => void) | undefined): { out: unknown; steps: number } {
    let exec: ExecutionState = startExecution(machine, m.input, OPTIONS);
    let steps = 0;
    while (!exec.end) {
      const next = step(machine, exec, deps).state;
      if (next === exec) throw new Error(`bench machine '${m.name}' is stuck (waiting for a task or timer)`);
      exec = next;
      steps++;
      onState?.(exec);
    }
    if (!exec.end.ok)
      throw new Error(`bench machine '${m.name}' failed: ${exec.end.error}: ${exec.end.cause}`);
    return { out: exec.end.output, steps };
  }

  return {
    run(mode) {
      const serialize = mode === true ? "serializeExecution" : mode === false ? "none" : mode;
      let chars = 0;
      const onState =
        serialize === "serializeExecution"
          ? (s: ExecutionState) => {
              chars += serializeExecution(s).length;
            }
          : serialize === "JSON.stringify"
            ? (s: ExecutionState) => {
                chars += JSON.stringify(s).length;
              }
            : undefined;
      const { out, steps } = drive(onState);
      return { output: out, steps, serializedChars: chars };
    },
    checkpointSizes() {
      const stats = new SizeStats();
      const { steps } = drive((s) => stats.add(Buffer.byteLength(serializeExecution(s))));
      return { steps, stats };
    },
    checkSerialization() {
      let n = 0;
      drive((s) => {
        n++;
        if (serializeExecution(s) !== JSON.stringify(s))
          throw new Error(`machine '${m.name}': serializeExecution differs from JSON.stringify at step ${n}`);
      });
    },
  };
}
