/** Drives aws-local-stepfunctions 3.0.0 (the reference) on a benchmark machine. */
import { StateMachine } from "aws-local-stepfunctions";
import type { BenchMachine } from "./machines.ts";

export interface ReferenceRunner {
  /** One execution; resolves with its output. */
  run(): Promise<unknown>;
}

export function referenceRunner(m: BenchMachine): ReferenceRunner {
  // Validated once here, as a caller would; runs do not re-validate.
  const sm = new StateMachine(m.definition as unknown as ConstructorParameters<typeof StateMachine>[0]);
  const input = m.input as Parameters<StateMachine["run"]>[0];
  return {
    run: () => sm.run(input).result,
  };
}
