/**
 * Drives Sluice's engine (shared/asl) on a benchmark machine, one `step` at a time, the way a
 * worker does: every `step` returns a new, JSON-serializable execution state (the checkpoint).
 * The "with serialization" variant also JSON.stringify-s that state after every step, which is what
 * persisting a checkpoint at every transition costs at least.
 */
import { compileMachine, startExecution, step } from "../../shared/asl/index.ts";
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

export interface SluiceRunner {
  run(serialize: boolean): SluiceRun;
  /** One execution measuring the serialized checkpoint after every step, in bytes (UTF-8). */
  checkpointSizes(): { steps: number; stats: SizeStats };
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
    run(serialize) {
      let chars = 0;
      const { out, steps } = drive(
        serialize
          ? (s) => {
              chars += JSON.stringify(s).length;
            }
          : undefined,
      );
      return { output: out, steps, serializedChars: chars };
    },
    checkpointSizes() {
      const stats = new SizeStats();
      const { steps } = drive((s) => stats.add(Buffer.byteLength(JSON.stringify(s))));
      return { steps, stats };
    },
  };
}
