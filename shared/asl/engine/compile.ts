/**
 * compileMachine: validate a definition (every problem listed, InvalidDefinitionError) and
 * compile each state once into the closures the stepping loop runs. Compiled machines are cached
 * by definition identity and by content hash, so workers reuse them across executions.
 */
import { createHash } from "node:crypto";
import { compileChoiceRule } from "../choice/index.ts";
import { JsonataSyntaxError } from "../jsonata/expression.ts";
import { compileTemplate, expressionText, type JsonataTemplate } from "../jsonata/template.ts";
import { compilePayload, type CompiledPayload } from "../payload.ts";
import { InvalidDefinitionError, joinPointer } from "../validate/problems.ts";
import { validateDefinition } from "../validate/index.ts";
import type {
  Catcher,
  ChoiceBranch,
  CompiledMachine,
  CompiledState,
  Graph,
  NumberField,
  Retrier,
  StateBase,
  StringField,
} from "./compiled.ts";

type Obj = Record<string, unknown>;
type QL = "JSONPath" | "JSONata";

/** AWS's payload limit (256 KiB) for state inputs and outputs. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

const byIdentity = new WeakMap<object, CompiledMachine>();
const byHash = new Map<string, CompiledMachine>();
const HASH_CACHE_LIMIT = 1000;

export function hashDefinition(definition: unknown): string {
  return createHash("sha256").update(JSON.stringify(definition)).digest("hex").slice(0, 32);
}

export function compileMachine(definition: unknown): CompiledMachine {
  if (typeof definition === "object" && definition !== null) {
    const hit = byIdentity.get(definition);
    if (hit) return hit;
  }
  const hash = hashDefinition(definition);
  const cached = byHash.get(hash);
  if (cached) {
    if (typeof definition === "object" && definition !== null) byIdentity.set(definition, cached);
    return cached;
  }
  const problems = validateDefinition(definition);
  if (problems.length > 0) throw new InvalidDefinitionError(problems);
  const def = definition as Obj;
  const queryLanguage: QL = def.QueryLanguage === "JSONata" ? "JSONata" : "JSONPath";
  let graph: Graph;
  try {
    graph = compileGraph(def, queryLanguage, "");
  } catch (err) {
    if (err instanceof InvalidDefinitionError) throw err;
    if (err instanceof JsonataSyntaxError)
      throw new InvalidDefinitionError([{ pointer: "", message: err.message }]);
    throw err;
  }
  const text = JSON.stringify(definition);
  const machine: CompiledMachine = {
    hash,
    definition,
    graph,
    queryLanguage,
    usesContext: text.includes("$$") || text.includes("$states"),
  };
  if (byHash.size >= HASH_CACHE_LIMIT) byHash.clear();
  byHash.set(hash, machine);
  if (typeof definition === "object" && definition !== null) byIdentity.set(definition, machine);
  return machine;
}

function compileGraph(def: Obj, ql: QL, pointer: string): Graph {
  const states = new Map<string, CompiledState>();
  for (const [name, sd] of Object.entries(def.States as Obj)) {
    const p = joinPointer(pointer, "States", name);
    try {
      states.set(name, compileState(name, sd as Obj, ql, p));
    } catch (err) {
      if (err instanceof JsonataSyntaxError)
        throw new InvalidDefinitionError([{ pointer: p, message: err.message }]);
      throw err;
    }
  }
  return { startAt: def.StartAt as string, states };
}

const has = (o: Obj, k: string): boolean => Object.hasOwn(o, k);
const payload = (v: unknown): CompiledPayload | undefined =>
  v === undefined ? undefined : compilePayload(v);
const template = (v: unknown, field: string): JsonataTemplate | undefined =>
  v === undefined ? undefined : compileTemplate(v, field);

/** Text of a state's own fields (not nested graphs), to see whether it reads the context object. */
function usesContext(sd: Obj, jsonata: boolean): boolean {
  const own: Obj = { ...sd };
  delete own.Branches;
  delete own.ItemProcessor;
  delete own.Iterator;
  const text = JSON.stringify(own);
  return jsonata ? /\$states(?!\.(input|result|errorOutput)\b)/.test(text) : text.includes("$$");
}

function numberField(sd: Obj, name: string, jsonata: boolean): NumberField | undefined {
  const path = sd[`${name}Path`];
  if (typeof path === "string") return { path };
  const v = sd[name];
  if (v === undefined) return undefined;
  const text = jsonata ? expressionText(v) : undefined;
  if (text !== undefined) return { jsonata: compileTemplate(v, name), source: text };
  return { literal: v as number };
}

function stringField(sd: Obj, name: string, jsonata: boolean): StringField | undefined {
  const path = sd[`${name}Path`];
  if (typeof path === "string") return { path };
  const v = sd[name];
  if (v === undefined) return undefined;
  if (jsonata && expressionText(v) !== undefined) return { jsonata: compileTemplate(v, name) };
  return { literal: v as string };
}

function retriers(sd: Obj): Retrier[] {
  const list = Array.isArray(sd.Retry) ? (sd.Retry as Obj[]) : [];
  return list.map((r) => ({
    errors: r.ErrorEquals as string[],
    interval: typeof r.IntervalSeconds === "number" ? r.IntervalSeconds : 1,
    maxAttempts: typeof r.MaxAttempts === "number" ? r.MaxAttempts : 3,
    backoff: typeof r.BackoffRate === "number" ? r.BackoffRate : 2,
    maxDelay: typeof r.MaxDelaySeconds === "number" ? r.MaxDelaySeconds : undefined,
    jitter: r.JitterStrategy === "FULL",
  }));
}

function catchers(sd: Obj, jsonata: boolean): Catcher[] {
  const list = Array.isArray(sd.Catch) ? (sd.Catch as Obj[]) : [];
  return list.map((c) => ({
    errors: c.ErrorEquals as string[],
    next: c.Next as string,
    resultPath: has(c, "ResultPath") ? (c.ResultPath as string | null) : undefined,
    assignPath: jsonata ? undefined : payload(c.Assign),
    output: jsonata ? template(c.Output, "Output") : undefined,
    assignJsonata: jsonata ? template(c.Assign, "Assign") : undefined,
  }));
}

function oversized(sd: Obj): boolean {
  return (
    sd.Type === "Pass" &&
    has(sd, "Result") &&
    Buffer.byteLength(JSON.stringify(sd.Result)) > MAX_PAYLOAD_BYTES
  );
}

function compileState(name: string, sd: Obj, inherited: QL, pointer: string): CompiledState {
  const ql: QL =
    sd.QueryLanguage === "JSONata" ? "JSONata" : sd.QueryLanguage === "JSONPath" ? "JSONPath" : inherited;
  const jsonata = ql === "JSONata";
  const type = sd.Type as CompiledState["type"];
  const base: StateBase = {
    name,
    jsonata,
    next: typeof sd.Next === "string" ? sd.Next : undefined,
    usesContext: usesContext(sd, jsonata),
    inputPath: has(sd, "InputPath") ? (sd.InputPath as string | null) : undefined,
    outputPath: has(sd, "OutputPath") ? (sd.OutputPath as string | null) : undefined,
    resultPath: has(sd, "ResultPath") ? (sd.ResultPath as string | null) : undefined,
    parameters: jsonata || type === "Map" ? undefined : payload(sd.Parameters),
    resultSelector: jsonata ? undefined : payload(sd.ResultSelector),
    assignPath: jsonata ? undefined : payload(sd.Assign),
    args: jsonata ? template(sd.Arguments, "Arguments") : undefined,
    output: jsonata ? template(sd.Output, "Output") : undefined,
    assignJsonata: jsonata ? template(sd.Assign, "Assign") : undefined,
    retry: retriers(sd),
    catch: catchers(sd, jsonata),
    oversized: oversized(sd),
  };
  switch (type) {
    case "Pass":
      return { ...base, type, result: sd.Result, hasResult: has(sd, "Result") };
    case "Task": {
      const resource = String(sd.Resource ?? "");
      return {
        ...base,
        type,
        resource,
        waitForToken: resource.endsWith(".waitForTaskToken"),
        timeout: numberField(sd, "TimeoutSeconds", jsonata),
        heartbeat: numberField(sd, "HeartbeatSeconds", jsonata),
        credentials: sd.Credentials,
      };
    }
    case "Choice":
      return {
        ...base,
        type,
        choices: (sd.Choices as Obj[]).map((rule, i) =>
          choiceBranch(rule, jsonata, joinPointer(pointer, "Choices", i)),
        ),
        default: typeof sd.Default === "string" ? sd.Default : undefined,
      };
    case "Wait": {
      const ts = sd.Timestamp;
      const tsText = jsonata ? expressionText(ts) : undefined;
      return {
        ...base,
        type,
        seconds: numberField(sd, "Seconds", jsonata),
        timestamp: tsText === undefined && typeof ts === "string" ? ts : undefined,
        timestampPath: typeof sd.TimestampPath === "string" ? sd.TimestampPath : undefined,
        timestampJsonata: tsText !== undefined ? compileTemplate(ts, "Timestamp") : undefined,
        timestampSource: tsText,
      };
    }
    case "Succeed":
      return { ...base, type };
    case "Fail":
      return {
        ...base,
        type,
        error: stringField(sd, "Error", jsonata),
        cause: stringField(sd, "Cause", jsonata),
      };
    case "Parallel":
      return {
        ...base,
        type,
        branches: (sd.Branches as Obj[]).map((b, i) =>
          compileGraph(b, inherited, joinPointer(pointer, "Branches", i)),
        ),
      };
    case "Map": {
      const processorKey = has(sd, "ItemProcessor") ? "ItemProcessor" : "Iterator";
      const batcher = sd.ItemBatcher as Obj | undefined;
      return {
        ...base,
        type,
        processor: compileGraph(sd[processorKey] as Obj, inherited, joinPointer(pointer, processorKey)),
        itemsPath: jsonata ? undefined : typeof sd.ItemsPath === "string" ? sd.ItemsPath : undefined,
        items: jsonata ? template(sd.Items, "Items") : undefined,
        itemsSource: jsonata ? expressionText(sd.Items) : undefined,
        itemSelectorPath: jsonata ? undefined : payload(sd.ItemSelector ?? sd.Parameters),
        itemSelectorJsonata: jsonata ? template(sd.ItemSelector, "ItemSelector") : undefined,
        maxConcurrency: numberField(sd, "MaxConcurrency", jsonata),
        toleratedCount: numberField(sd, "ToleratedFailureCount", jsonata),
        toleratedPercentage: numberField(sd, "ToleratedFailurePercentage", jsonata),
        batcher: batcher
          ? {
              maxItems: numberField(batcher, "MaxItemsPerBatch", jsonata),
              batchInput: jsonata ? template(batcher.BatchInput, "BatchInput") : payload(batcher.BatchInput),
              batchInputJsonata: jsonata,
            }
          : undefined,
      };
    }
  }
}

function choiceBranch(rule: Obj, jsonata: boolean, pointer: string): ChoiceBranch {
  if (jsonata) {
    return {
      test: undefined,
      condition: compileTemplate(rule.Condition, "Condition"),
      conditionSource: expressionText(rule.Condition) ?? JSON.stringify(rule.Condition),
      next: rule.Next as string,
      assignPath: undefined,
      assignJsonata: template(rule.Assign, "Assign"),
      output: template(rule.Output, "Output"),
    };
  }
  return {
    test: compileChoiceRule(rule, pointer),
    condition: undefined,
    conditionSource: undefined,
    next: rule.Next as string,
    assignPath: payload(rule.Assign),
    assignJsonata: undefined,
    output: undefined,
  };
}
