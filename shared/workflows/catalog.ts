import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { compileMachine, type CompiledMachine } from "../asl/index.ts";
import { InvalidDefinitionError, type DefinitionProblem } from "../asl/validate/index.ts";
import { taskResources } from "./task-resources.ts";

export interface Workflow {
  name: string;
  /**
   * The definition's content hash (`CompiledMachine.hash`: SHA-256 of its canonical JSON, so a
   * whitespace-only edit is the same version). A job records the version it was created on, its
   * execution state the one it runs (`exec.def`); both name the same entry of `workflow_versions`.
   */
  version: string;
  definition: unknown;
  machine: CompiledMachine;
}

/** A workflow file that cannot be run: each problem is `<file>: <json-pointer>: <message>`. */
export interface InvalidWorkflow {
  name: string;
  file: string;
  problems: string[];
}

export class WorkflowLoadError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid workflow definitions:\n  ${problems.join("\n  ")}`);
    this.name = "WorkflowLoadError";
  }
}

export interface CatalogOptions {
  /** Whether a Task `Resource` can be run by this fleet; unknown resources make a workflow invalid. */
  hasStep?: (resource: string) => boolean;
}

/**
 * The workflows a fleet can start now: the current version of every valid `<name>.asl.json`,
 * parsed, validated and compiled once. An invalid file is refused on its own (`invalid`, each
 * problem with its JSON pointer) and every valid workflow stays runnable. Versions a job started on
 * that the files no longer hold live in MongoDB (`WorkflowVersions`, shared/workflows/versions.ts).
 */
export class WorkflowCatalog {
  readonly #byVersion = new Map<string, Workflow>();
  readonly #invalid: ReadonlyMap<string, InvalidWorkflow>;

  constructor(
    private readonly workflows: ReadonlyMap<string, Workflow>,
    invalid: readonly InvalidWorkflow[] = [],
  ) {
    for (const w of workflows.values()) this.#byVersion.set(w.version, w);
    this.#invalid = new Map(invalid.map((i) => [i.name, i]));
  }

  /** The current (valid) version of a workflow. */
  get(name: string): Workflow | undefined {
    return this.workflows.get(name);
  }

  /** A current workflow whose definition has this content hash. */
  byVersion(version: string): Workflow | undefined {
    return this.#byVersion.get(version);
  }

  /** Why `name`'s file was refused, when it was. */
  invalid(name: string): InvalidWorkflow | undefined {
    return this.#invalid.get(name);
  }

  /** Every refused file, by name. */
  invalidWorkflows(): InvalidWorkflow[] {
    return [...this.#invalid.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  names(): string[] {
    return [...this.workflows.keys()].sort();
  }
}

export function compileWorkflow(name: string, text: string, opts: CatalogOptions = {}): Workflow {
  const file = `${name}.asl.json`;
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (err) {
    throw new WorkflowLoadError([`${file}: not valid JSON: ${(err as Error).message}`]);
  }
  let machine: CompiledMachine;
  try {
    machine = compileMachine(definition);
  } catch (err) {
    if (err instanceof InvalidDefinitionError) {
      throw new WorkflowLoadError(
        err.problems.map((p: DefinitionProblem) => `${file}: ${p.pointer || "/"}: ${p.message}`),
      );
    }
    throw err;
  }
  if (opts.hasStep) {
    const missing = taskResources(definition).filter((t) => !opts.hasStep?.(t.resource));
    if (missing.length > 0) {
      throw new WorkflowLoadError(
        missing.map((t) => `${file}: ${t.pointer}: no step is registered for resource "${t.resource}"`),
      );
    }
  }
  return { name, version: machine.hash, definition, machine };
}

/** Compiles one file; a refusal is returned, never thrown. */
export async function loadWorkflowFile(
  path: string,
  opts: CatalogOptions = {},
): Promise<{ ok: true; workflow: Workflow } | { ok: false; invalid: InvalidWorkflow }> {
  const file = basename(path);
  const name = basename(path, ".asl.json");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    return {
      ok: false,
      invalid: { name, file, problems: [`${file}: unreadable: ${(err as Error).message}`] },
    };
  }
  try {
    return { ok: true, workflow: compileWorkflow(name, text, opts) };
  } catch (err) {
    if (err instanceof WorkflowLoadError)
      return { ok: false, invalid: { name, file, problems: err.problems } };
    throw err;
  }
}

/** The `<name>.asl.json` files of a directory, sorted. */
export async function workflowFiles(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((f) => f.endsWith(".asl.json"))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Loads every `<name>.asl.json` in `dir`. Invalid files are left out and listed in
 * `catalog.invalidWorkflows()` (callers log them); they never stop the valid ones.
 */
export async function loadWorkflowCatalog(dir: string, opts: CatalogOptions = {}): Promise<WorkflowCatalog> {
  const workflows = new Map<string, Workflow>();
  const invalid: InvalidWorkflow[] = [];
  for (const path of await workflowFiles(dir)) {
    const r = await loadWorkflowFile(path, opts);
    if (r.ok) workflows.set(r.workflow.name, r.workflow);
    else invalid.push(r.invalid);
  }
  return new WorkflowCatalog(workflows, invalid);
}
