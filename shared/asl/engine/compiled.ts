/**
 * The compiled form of a state machine: every state's fields parsed once into closures (payload
 * templates, paths, choice rules, JSONata expressions), as a discriminated union on `type`.
 */
import type { CompiledChoiceRule } from "../choice/index.ts";
import type { JsonataTemplate } from "../jsonata/template.ts";
import type { CompiledPayload } from "../payload.ts";

export type StateType = "Pass" | "Task" | "Choice" | "Wait" | "Succeed" | "Fail" | "Parallel" | "Map";

export interface Graph {
  readonly startAt: string;
  readonly states: ReadonlyMap<string, CompiledState>;
}

export interface Retrier {
  readonly errors: readonly string[];
  readonly interval: number;
  readonly maxAttempts: number;
  readonly backoff: number;
  readonly maxDelay: number | undefined;
  readonly jitter: boolean;
}

export interface Catcher {
  readonly errors: readonly string[];
  readonly next: string;
  readonly resultPath: string | null | undefined;
  readonly assignPath: CompiledPayload | undefined;
  readonly output: JsonataTemplate | undefined;
  readonly assignJsonata: JsonataTemplate | undefined;
}

/** Data-flow fields common to all states; which are set depends on the query language and type. */
export interface StateBase {
  readonly name: string;
  readonly jsonata: boolean;
  /** Next state; undefined when the state ends its graph (or has no Next, like Choice). */
  readonly next: string | undefined;
  /** Whether any field reads the context object (`$$` / `$states.context`). */
  readonly usesContext: boolean;
  readonly inputPath: string | null | undefined;
  readonly outputPath: string | null | undefined;
  readonly resultPath: string | null | undefined;
  readonly parameters: CompiledPayload | undefined;
  readonly resultSelector: CompiledPayload | undefined;
  readonly assignPath: CompiledPayload | undefined;
  readonly args: JsonataTemplate | undefined;
  readonly output: JsonataTemplate | undefined;
  readonly assignJsonata: JsonataTemplate | undefined;
  readonly retry: readonly Retrier[];
  readonly catch: readonly Catcher[];
  /** A static output that already exceeds the payload limit (States.DataLimitExceeded). */
  readonly oversized: boolean;
}

export interface PassState extends StateBase {
  readonly type: "Pass";
  readonly result: unknown;
  readonly hasResult: boolean;
}

/** A number-valued field that may be a literal, a JSONPath reference or a JSONata expression. */
export interface NumberField {
  readonly literal?: number;
  readonly path?: string;
  readonly jsonata?: JsonataTemplate;
  readonly source?: string;
}

export interface TaskState extends StateBase {
  readonly type: "Task";
  readonly resource: string;
  readonly waitForToken: boolean;
  readonly timeout: NumberField | undefined;
  readonly heartbeat: NumberField | undefined;
  readonly credentials: unknown;
}

export interface ChoiceBranch {
  readonly test: CompiledChoiceRule | undefined;
  readonly condition: JsonataTemplate | undefined;
  readonly conditionSource: string | undefined;
  readonly next: string;
  readonly assignPath: CompiledPayload | undefined;
  readonly assignJsonata: JsonataTemplate | undefined;
  readonly output: JsonataTemplate | undefined;
}

export interface ChoiceState extends StateBase {
  readonly type: "Choice";
  readonly choices: readonly ChoiceBranch[];
  readonly default: string | undefined;
}

export interface WaitState extends StateBase {
  readonly type: "Wait";
  readonly seconds: NumberField | undefined;
  readonly timestamp: string | undefined;
  readonly timestampPath: string | undefined;
  readonly timestampJsonata: JsonataTemplate | undefined;
  readonly timestampSource: string | undefined;
}

export interface SucceedState extends StateBase {
  readonly type: "Succeed";
}

export interface StringField {
  readonly literal?: string;
  readonly path?: string;
  readonly jsonata?: JsonataTemplate;
}

export interface FailState extends StateBase {
  readonly type: "Fail";
  readonly error: StringField | undefined;
  readonly cause: StringField | undefined;
}

export interface ParallelState extends StateBase {
  readonly type: "Parallel";
  readonly branches: readonly Graph[];
}

export interface MapState extends StateBase {
  readonly type: "Map";
  readonly processor: Graph;
  readonly itemsPath: string | undefined;
  readonly items: JsonataTemplate | undefined;
  readonly itemsSource: string | undefined;
  readonly itemSelectorPath: CompiledPayload | undefined;
  readonly itemSelectorJsonata: JsonataTemplate | undefined;
  readonly maxConcurrency: NumberField | undefined;
  readonly toleratedCount: NumberField | undefined;
  readonly toleratedPercentage: NumberField | undefined;
  readonly batcher: ItemBatcher | undefined;
}

export interface ItemBatcher {
  readonly maxItems: NumberField | undefined;
  readonly batchInput: CompiledPayload | JsonataTemplate | undefined;
  readonly batchInputJsonata: boolean;
}

export type CompiledState =
  PassState | TaskState | ChoiceState | WaitState | SucceedState | FailState | ParallelState | MapState;

export type StateOf<T extends StateType> = Extract<CompiledState, { type: T }>;

export interface CompiledMachine {
  /** Stable hash of the definition. */
  readonly hash: string;
  readonly definition: unknown;
  readonly graph: Graph;
  readonly queryLanguage: "JSONPath" | "JSONata";
  /** Whether any state reads the context object (else executions need not keep their input). */
  readonly usesContext: boolean;
}
