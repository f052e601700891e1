/**
 * Sluice's Amazon States Language engine: a pure, checkpointable interpreter.
 *
 * ```ts
 * const machine = compileMachine(definition);              // throws InvalidDefinitionError
 * let exec = startExecution(machine, input, options);
 * const { state, effects, events } = step(machine, exec, deps);
 * exec = completeTask(machine, state, taskId, output);     // or failTask(...)
 * ```
 */
export { compileMachine, hashDefinition, MAX_PAYLOAD_BYTES } from "./engine/compile.ts";
export type { CompiledMachine } from "./engine/compiled.ts";
export {
  startExecution,
  step,
  completeTask,
  failTask,
  status,
  wakeAt,
  pendingTasks,
} from "./engine/execution.ts";
export { serializeExecution } from "./engine/serialize.ts";
export {
  runToCompletion,
  runToCompletionSync,
  seededDeps,
  TaskFailure,
  type RunOptions,
  type RunResult,
  type TaskHandler,
} from "./engine/driver.ts";
export { AslError, STATES_ERRORS, type StatesErrorName } from "./errors.ts";
export { InvalidDefinitionError, validateDefinition, type DefinitionProblem } from "./validate/index.ts";
export type * from "./types.ts";
