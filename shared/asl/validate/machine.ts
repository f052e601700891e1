/**
 * Checks a state machine and, recursively, the machines nested in Parallel branches and Map item
 * processors. Each machine is its own scope: `StartAt` and every transition (`Next`, `Default`,
 * Choice and Catch targets) must name a state of that scope, and every state must be reachable
 * from `StartAt`. State names are unique across the whole definition.
 */
import type { QueryLanguage } from "../types.ts";
import type { Report } from "./expressions.ts";
import { joinPointer } from "./problems.ts";
import type { Target } from "./rules.ts";
import { checkState, type StateWalk, type SubMachineKind } from "./states.ts";

type MachineKind = "top" | SubMachineKind;

const MACHINE_FIELDS: { readonly [K in MachineKind]: ReadonlySet<string> } = {
  top: new Set(["StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage"]),
  branch: new Set(["StartAt", "States", "Comment"]),
  processor: new Set(["StartAt", "States", "Comment", "ProcessorConfig"]),
};

const MAX_STATE_NAME = 80;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export interface MachineWalk {
  readonly report: Report;
  readonly topLanguage: QueryLanguage;
  /** State name → pointer of its first definition, across all scopes. */
  readonly seenNames: Map<string, string>;
}

function checkProcessorConfig(config: unknown, pointer: string, report: Report): void {
  if (!isRecord(config)) return report(pointer, "ProcessorConfig must be an object");
  const mode = config["Mode"];
  if (mode !== undefined && mode !== "INLINE" && mode !== "DISTRIBUTED") {
    report(joinPointer(pointer, "Mode"), "Mode must be INLINE or DISTRIBUTED");
  }
  const type = config["ExecutionType"];
  if (type !== undefined && type !== "STANDARD" && type !== "EXPRESS") {
    report(joinPointer(pointer, "ExecutionType"), "ExecutionType must be STANDARD or EXPRESS");
  }
}

function checkReachability(
  states: Record<string, unknown>,
  startAt: string,
  edges: Map<string, string[]>,
  pointer: string,
  report: Report,
): void {
  const reached = new Set<string>([startAt]);
  const queue = [startAt];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    for (const next of edges.get(name) ?? []) {
      if (!reached.has(next)) {
        reached.add(next);
        queue.push(next);
      }
    }
  }
  for (const name of Object.keys(states)) {
    if (!reached.has(name))
      report(joinPointer(pointer, "States", name), `State '${name}' is not reachable from StartAt`);
  }
}

/** Checks the machine at `pointer` (`""` for the definition itself). */
export function checkMachine(
  machine: unknown,
  pointer: string,
  language: QueryLanguage,
  kind: MachineKind,
  walk: MachineWalk,
): void {
  const { report } = walk;
  if (!isRecord(machine)) return report(pointer, "A state machine must be an object with StartAt and States");
  for (const key of Object.keys(machine)) {
    if (!MACHINE_FIELDS[kind].has(key))
      report(joinPointer(pointer, key), `Field '${key}' is not supported here`);
  }
  if (kind === "top") {
    const timeout = machine["TimeoutSeconds"];
    if (
      timeout !== undefined &&
      !(typeof timeout === "number" && Number.isInteger(timeout) && timeout >= 0)
    ) {
      report(joinPointer(pointer, "TimeoutSeconds"), "TimeoutSeconds must be a non-negative integer");
    }
    for (const field of ["Comment", "Version"]) {
      if (field in machine && typeof machine[field] !== "string")
        report(joinPointer(pointer, field), `${field} must be a string`);
    }
  }
  if ("ProcessorConfig" in machine)
    checkProcessorConfig(machine["ProcessorConfig"], joinPointer(pointer, "ProcessorConfig"), report);

  const states = machine["States"];
  if (!isRecord(states) || Object.keys(states).length === 0) {
    report(joinPointer(pointer, "States"), "States must be an object with at least one state");
    return;
  }
  const startAt = machine["StartAt"];
  if (typeof startAt !== "string") report(joinPointer(pointer, "StartAt"), "StartAt must be a state name");
  else if (!Object.hasOwn(states, startAt))
    report(joinPointer(pointer, "StartAt"), `StartAt '${startAt}' is not a state of this scope`);

  const stateWalk: StateWalk = {
    report,
    topLanguage: walk.topLanguage,
    checkSubMachine: (sub, at, lang, subKind) => checkMachine(sub, at, lang, subKind, walk),
  };
  const edges = new Map<string, string[]>();
  for (const [name, state] of Object.entries(states)) {
    const at = joinPointer(pointer, "States", name);
    if (name.length === 0 || name.length > MAX_STATE_NAME)
      report(at, `State names must be 1 to ${MAX_STATE_NAME} characters long`);
    const first = walk.seenNames.get(name);
    if (first === undefined) walk.seenNames.set(name, at);
    else report(at, `State name '${name}' is already used at ${first}; state names must be unique`);
    const targets: Target[] = checkState(state, at, language, stateWalk);
    const names: string[] = [];
    if (isRecord(state) && typeof state["Default"] === "string")
      targets.push({ name: state["Default"], pointer: joinPointer(at, "Default") });
    for (const t of targets) {
      if (typeof t.name !== "string") continue;
      if (Object.hasOwn(states, t.name)) names.push(t.name);
      else report(t.pointer, `'${t.name}' is not a state of this scope`);
    }
    edges.set(name, names);
  }
  if (typeof startAt === "string" && Object.hasOwn(states, startAt))
    checkReachability(states, startAt, edges, pointer, report);
}
