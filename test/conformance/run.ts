/**
 * ASL conformance: runs every AWS-recorded case of `../shared/asl-corpus/cases.json` through the
 * engine with a virtual clock, compares outputs (deep equality) and, for failed executions, error
 * names (causes are counted separately), prints passes per area and each failure, and ends with
 * `conformance: N/T passed (errors: E, causes matched: C)`.
 *
 *   node --import tsx test/conformance/run.ts [path-to-cases.json]
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { INTERNAL_ERROR_PREFIX } from "../../shared/asl/engine/advance.ts";
import {
  compileMachine,
  InvalidDefinitionError,
  runToCompletionSync,
  type RunResult,
} from "../../shared/asl/index.ts";
import { firstDifference, show } from "./compare.ts";

interface Case {
  name: string;
  definition: unknown;
  input: unknown;
  expected: { status: "SUCCEEDED" | "FAILED"; output?: unknown; error?: string; cause?: string };
}

export interface CaseOutcome {
  name: string;
  area: string;
  pass: boolean;
  /** The engine threw, or reported an internal error. */
  crashed: boolean;
  causeMatched: boolean | undefined;
  detail?: string;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const DEFAULT_CASES = resolve(REPO_ROOT, "../shared/asl-corpus/cases.json");
export const PASS_BAR = 824;
const START = "2024-01-01T00:00:00.000Z";

export function runCase(c: Case): CaseOutcome {
  const area = c.name.split("/")[0] ?? c.name;
  const base = { name: c.name, area };
  let result: RunResult;
  try {
    const machine = compileMachine(c.definition);
    result = runToCompletionSync(machine, c.input, {
      execution: { startTime: START, executionName: "conformance", stateMachineName: "conformance" },
      maxSteps: 100_000,
    });
  } catch (err) {
    const invalid = err instanceof InvalidDefinitionError;
    const detail = invalid
      ? `rejected as invalid: ${err.problems.map((p) => `${p.pointer} ${p.message}`).join("; ")}`
      : `engine threw: ${err instanceof Error ? err.message : String(err)}`;
    return {
      ...base,
      pass: false,
      crashed: !invalid,
      causeMatched: c.expected.status === "FAILED" ? false : undefined,
      detail,
    };
  }
  const crashed = result.status === "failed" && (result.cause ?? "").includes(INTERNAL_ERROR_PREFIX);
  const e = c.expected;
  if (e.status === "SUCCEEDED") {
    if (result.status !== "succeeded") {
      return {
        ...base,
        pass: false,
        crashed,
        causeMatched: undefined,
        detail: `expected SUCCEEDED, got FAILED ${result.error ?? ""}: ${show(result.cause, 300)}`,
      };
    }
    const diff = firstDifference(e.output, result.output);
    return diff
      ? { ...base, pass: false, crashed, causeMatched: undefined, detail: diff }
      : { ...base, pass: true, crashed, causeMatched: undefined };
  }
  if (result.status !== "failed") {
    return {
      ...base,
      pass: false,
      crashed,
      causeMatched: false,
      detail: `expected FAILED ${e.error ?? ""}, got SUCCEEDED ${show(result.output, 200)}`,
    };
  }
  const causeMatched = (e.cause ?? undefined) === (result.cause ?? undefined);
  const causeNote = causeMatched
    ? ""
    : ` | cause expected ${show(e.cause, 200)}, got ${show(result.cause, 200)}`;
  if ((e.error ?? undefined) !== (result.error ?? undefined)) {
    return {
      ...base,
      pass: false,
      crashed,
      causeMatched,
      detail: `error expected ${show(e.error)}, got ${show(result.error)}${causeNote}`,
    };
  }
  return {
    ...base,
    pass: true,
    crashed,
    causeMatched,
    ...(causeMatched ? {} : { detail: causeNote.slice(3) }),
  };
}

export function runCorpus(
  path: string,
  log: (line: string) => void = console.log,
): { passed: number; total: number; errors: number; causes: number } {
  const cases = JSON.parse(readFileSync(path, "utf8")) as Case[];
  const outcomes = cases.map(runCase);
  const areas = new Map<string, { pass: number; total: number }>();
  for (const o of outcomes) {
    const a = areas.get(o.area) ?? { pass: 0, total: 0 };
    a.total++;
    if (o.pass) a.pass++;
    areas.set(o.area, a);
  }
  log("passes per area:");
  for (const [area, a] of [...areas].sort((x, y) => y[1].total - x[1].total))
    log(`  ${area}: ${a.pass}/${a.total}`);
  const failures = outcomes.filter((o) => !o.pass);
  if (failures.length > 0) {
    log(`failures (${failures.length}):`);
    for (const f of failures) log(`  ✗ ${f.name}\n      ${f.detail ?? ""}`);
  }
  const causeMisses = outcomes.filter((o) => o.pass && o.causeMatched === false);
  if (causeMisses.length > 0) {
    log(`passing cases whose cause differs (${causeMisses.length}):`);
    for (const f of causeMisses) log(`  ~ ${f.name}\n      ${f.detail ?? ""}`);
  }
  const passed = outcomes.filter((o) => o.pass).length;
  const errors = outcomes.filter((o) => o.crashed).length;
  const causes = outcomes.filter((o) => o.causeMatched === true).length;
  log(`conformance: ${passed}/${cases.length} passed (errors: ${errors}, causes matched: ${causes})`);
  return { passed, total: cases.length, errors, causes };
}

/** Entry point for `sluice conformance [path]`; resolves to the process exit code. */
export async function conformanceCommand(args: string[]): Promise<number> {
  const path = args[0] ? resolve(process.cwd(), args[0]) : DEFAULT_CASES;
  const { passed } = runCorpus(path);
  return passed >= PASS_BAR ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  conformanceCommand(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
