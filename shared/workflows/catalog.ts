import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { compileMachine, type CompiledMachine } from "../asl/index.ts";
import { InvalidDefinitionError, type DefinitionProblem } from "../asl/validate/index.ts";
import { taskResources } from "./task-resources.ts";

export interface Workflow {
  name: string;
  /** First 16 hex digits of the definition file's SHA-256: a job records which version it ran. */
  version: string;
  definition: unknown;
  machine: CompiledMachine;
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
 * The workflows a fleet can run: every `<name>.asl.json` in `dir`, parsed, validated and compiled
 * once at start-up. Any invalid file fails the whole load with every problem listed as
 * `<file>: <json-pointer>: <message>`, so invalid ASL never reaches a worker.
 */
export class WorkflowCatalog {
  constructor(private readonly workflows: ReadonlyMap<string, Workflow>) {}

  get(name: string): Workflow | undefined {
    return this.workflows.get(name);
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
        err.problems.map((p: DefinitionProblem) => `${file}: ${p.pointer}: ${p.message}`),
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
  const version = createHash("sha256").update(text).digest("hex").slice(0, 16);
  return { name, version, definition, machine };
}

export async function loadWorkflowCatalog(dir: string, opts: CatalogOptions = {}): Promise<WorkflowCatalog> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".asl.json")).sort();
  const workflows = new Map<string, Workflow>();
  const problems: string[] = [];
  for (const f of files) {
    const name = basename(f, ".asl.json");
    try {
      workflows.set(name, compileWorkflow(name, await readFile(join(dir, f), "utf8"), opts));
    } catch (err) {
      if (err instanceof WorkflowLoadError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length > 0) throw new WorkflowLoadError(problems);
  return new WorkflowCatalog(workflows);
}
