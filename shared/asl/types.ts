/**
 * Public types of the ASL engine: what a caller passes in (deps, execution options), what it gets
 * back (effects, history events) and the execution state it checkpoints. The execution state is
 * plain JSON: `JSON.parse(JSON.stringify(state))` resumes exactly where `state` left off, and so
 * does `JSON.parse(serializeExecution(state))` (the same text, built incrementally).
 */

/** Injected clock and randomness; the engine never reads the real clock or Math.random. */
export interface StepDeps {
  /** Current time, epoch milliseconds. */
  now(): number;
  /** Uniform random number in [0, 1). */
  random(): number;
  /** A fresh UUID (v4 format). */
  uuid(): string;
  /**
   * Emit history events (off by default: the fast path allocates nothing for them); `"states"`:
   * only the state entries and exits, without input and output (a job's timeline).
   */
  history?: boolean | "states";
}

/** Fields of the `$$.Execution` / `$$.StateMachine` context that the caller supplies. */
export interface ExecutionOptions {
  executionId: string;
  executionName: string;
  stateMachineName: string;
  /** ISO-8601 start time, e.g. `2024-01-01T00:00:00.000Z`. */
  startTime: string;
  roleArn?: string;
  /** `$$.StateMachine.Id`; defaults to a synthetic ARN built from the name. */
  stateMachineId?: string;
}

export type QueryLanguage = "JSONPath" | "JSONata";

/** What the caller must do after a step. */
export type Effect =
  TaskEffect | { kind: "wait"; until: number } | { kind: "succeed"; output: unknown } | FailEffect;

export interface FailEffect {
  kind: "fail";
  error: string | undefined;
  cause: string | undefined;
}

/** Run a task and report back with completeTask/failTask. */
export interface TaskEffect {
  kind: "task";
  /**
   * `<executionId>#<n>`: `n` counts the execution's Task invocations from 1 (every entry of a Task
   * state, so each Map iteration, Parallel branch, loop re-entry and retry has its own), and the id
   * is kept with the pending task in the checkpoint.
   */
  taskId: string;
  resource: string;
  input: unknown;
  taskToken?: string;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
  stateName: string;
  /** 0 for the first attempt, n for the n-th retry. */
  attempt: number;
  /** Task `Credentials` (JSONPath/JSONata-resolved), when the definition has them. */
  credentials?: unknown;
}

/** One entry of the execution history, named like Step Functions' `HistoryEventType`. */
export interface HistoryEvent {
  id: number;
  type: string;
  /** Epoch milliseconds. */
  timestamp: number;
  stateName?: string;
  details?: Record<string, unknown>;
}

export type ExecutionStatus = "running" | "waiting_task" | "waiting_timer" | "succeeded" | "failed";

/** A raised error in flight: Step Functions' `{Error, Cause}`. */
export interface ErrorInfo {
  /** Undefined for a Fail state without Error. */
  error: string | undefined;
  cause?: string | undefined;
}

/**
 * Where a thread of execution (the whole machine, one Parallel branch or one Map iteration) is.
 * Immutable: every step builds new frames along the path it changed and shares the rest.
 */
export interface Frame {
  /** Current state name. */
  s: string;
  /** The state's raw input. */
  in: unknown;
  /** Phase within the state. */
  ph: Phase;
  /** Entered time, epoch ms (`$$.State.EnteredTime`); set once the state is entered. */
  at?: number;
  /** History event id of the StateEntered event (used in causes, as AWS does). */
  eid?: number;
  /** Variables assigned in this thread's scope (outer scopes are read through the parent). */
  vars?: Record<string, unknown>;
  /** Attempts used per retrier of the current state. */
  rc?: number[];
  /** Pending task (ph "task"): enough to re-issue its effect after a crash. */
  task?: PendingTask;
  /** Task result waiting to be processed (ph "result"). */
  res?: unknown;
  /** Error waiting for Retry/Catch (ph "error"), or the failure of a finished frame (ph "failed"). */
  err?: ErrorInfo;
  /** Wake-up time, epoch ms (ph "timer"). */
  until?: number;
  /** What the timer does when it fires: finish a Wait state (`out` is its output) or retry. */
  tk?: "wait" | "retry";
  /** Output: of a finished frame (ph "done") or of a Wait state waiting to exit. */
  out?: unknown;
  /** Assignments to apply when a Wait state exits. */
  asg?: Record<string, unknown>;
  /** Next state of a Wait state waiting to exit (undefined = end). */
  nx?: string;
  /** Bookkeeping of a running Parallel or Map state (ph "fan"). */
  fan?: Fan;
  /**
   * Active (started, unfinished) children of a running Parallel or Map state (ph "fan"). Kept out
   * of `fan` so that the bookkeeping object is shared by the states of steps that only advance a
   * child.
   */
  act?: Frame[];
  /** Branch or item index, for frames that are children of a fan. */
  i?: number;
}

export interface PendingTask {
  id: string;
  input: unknown;
  token?: string;
  timeout?: number;
  heartbeat?: number;
  attempt: number;
}

export type Phase = "enter" | "task" | "result" | "error" | "timer" | "fan" | "done" | "failed";

/** Bookkeeping of a Parallel/Map state's children (the active ones are `Frame.act`). */
export interface Fan {
  /**
   * Map items, when they cannot be derived again from the state's input (JSONata `Items`,
   * ItemBatcher); otherwise undefined and re-read (InputPath + ItemsPath) when needed.
   */
  items?: unknown[];
  /** Number of children (branches, items or ItemBatcher batches). */
  n: number;
  /** Next child index to start. */
  next: number;
  /** Maximum active children, 0 = unlimited. */
  max: number;
  /**
   * Results by child index, in chunks of `cs` (result `i` is `out[⌊i/cs⌋][i mod cs]`; chunks not
   * yet reached are absent, unset results null). See engine/results.ts.
   */
  out: unknown[][];
  /** Chunk size of `out`. */
  cs: number;
  /** Children finished (succeeded or failed). */
  fin: number;
  /** Children failed. */
  bad: number;
  /** Tolerated failures: count and percentage (Map only; undefined = none tolerated). */
  tc?: number;
  tp?: number;
}

export interface ExecutionContextData {
  id: string;
  name: string;
  sm: string;
  smId: string;
  start: string;
  role?: string;
  /** The execution input, kept only when the machine reads the context object. */
  input?: unknown;
}

/** The serializable state of one execution. */
export interface ExecutionState {
  /** Checkpoint format version (2: fan-out results in chunks). */
  v: 2;
  /** Hash of the definition it runs (guards against resuming with another machine). */
  def: string;
  ctx: ExecutionContextData;
  root: Frame;
  /** Counter for task ids. */
  seq: number;
  /** History event counter (event ids, as in Step Functions). */
  ev: number;
  /** Set when the execution finished. */
  end?: { ok: true; output: unknown } | { ok: false; error: string | undefined; cause: string | undefined };
}

export interface StepResult {
  state: ExecutionState;
  effects: readonly Effect[];
  events: readonly HistoryEvent[];
}
