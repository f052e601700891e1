/**
 * Workflow versions: which definition a job runs on.
 *
 * - A new job takes the current version of its workflow's file (`current`), recorded in
 *   `workflow_versions` first, so every version a job was ever created on can be read back.
 * - A job that started keeps the version it started on: its execution state names it (`exec.def`),
 *   and `machine(version)` finds it among the files' current versions or, once the file has
 *   changed or gone, in `workflow_versions`; compiled once per process and cached.
 * - An invalid file is refused on its own: `current` reports why, every other workflow runs.
 */
import type { Logger } from "pino";
import { compileMachine, hashDefinition, type CompiledMachine } from "../asl/index.ts";
import type { Workflow, WorkflowCatalog } from "./catalog.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { MongoWorkflowVersionStore, type WorkflowVersionStore } from "./version-store.ts";

export type WorkflowCheck = { ok: true; version: string } | { ok: false; reason: string };

export interface WorkflowVersionsDeps {
  /** The files' workflows now (a function, so a reloading catalog can be swapped in). */
  catalog: () => WorkflowCatalog;
  store: WorkflowVersionStore;
  now: () => number;
  log: Logger;
}

/** Versions loaded from the store that one process keeps compiled. */
const CACHE_LIMIT = 500;
/** How much of a refused file's problems a rejection reason carries. */
const REASON_PROBLEMS = 3;

export class WorkflowVersions {
  readonly #recorded = new Map<string, Promise<void>>();
  readonly #loaded = new Map<string, Promise<CompiledMachine | undefined>>();

  constructor(private readonly deps: WorkflowVersionsDeps) {}

  catalog(): WorkflowCatalog {
    return this.deps.catalog();
  }

  /**
   * The version a new job of `name` is created on: the file's current one, recorded in
   * `workflow_versions` before this returns. An unknown or invalid workflow is refused with a reason.
   */
  async current(name: string): Promise<WorkflowCheck> {
    const catalog = this.deps.catalog();
    const wf = catalog.get(name);
    if (!wf) {
      const invalid = catalog.invalid(name);
      if (!invalid) return { ok: false, reason: `unknown workflow "${name}"` };
      const shown = invalid.problems.slice(0, REASON_PROBLEMS).join("; ");
      const more = invalid.problems.length - REASON_PROBLEMS;
      return {
        ok: false,
        reason: `invalid workflow "${name}": ${shown}${more > 0 ? ` (and ${more} more)` : ""}`,
      };
    }
    await this.record(wf);
    return { ok: true, version: wf.version };
  }

  /** Stores `wf`'s definition under its hash once per process (idempotent across processes). */
  record(wf: Workflow): Promise<void> {
    let done = this.#recorded.get(wf.version);
    if (!done) {
      done = this.deps.store.put({
        _id: wf.version,
        name: wf.name,
        definition: JSON.stringify(wf.definition),
        recordedAt: this.deps.now(),
      });
      this.#recorded.set(wf.version, done);
      done.catch(() => this.#recorded.delete(wf.version));
    }
    return done;
  }

  /**
   * The definition a new execution of a job created on `version` starts on, recorded first when it
   * comes from the files (a job created without the scheduler); undefined when nobody has it.
   */
  async machineToStart(version: string): Promise<CompiledMachine | undefined> {
    const current = this.deps.catalog().byVersion(version);
    if (!current) return this.machine(version);
    await this.record(current);
    return current.machine;
  }

  /**
   * The compiled definition of `version`: a current file's, else the stored one (compiled once and
   * cached). Undefined when neither has it (or the stored one is corrupt, which is logged); a store
   * read that fails throws, so the caller can retry later.
   */
  async machine(version: string): Promise<CompiledMachine | undefined> {
    const current = this.deps.catalog().byVersion(version);
    if (current) return current.machine;
    let loading = this.#loaded.get(version);
    if (!loading) {
      loading = this.#load(version);
      if (this.#loaded.size >= CACHE_LIMIT) this.#loaded.clear();
      this.#loaded.set(version, loading);
      // Only found versions stay cached: a missing one may be recorded later, a failed read retried.
      loading.then(
        (m) => m === undefined && this.#loaded.delete(version),
        () => this.#loaded.delete(version),
      );
    }
    return loading;
  }

  async #load(version: string): Promise<CompiledMachine | undefined> {
    const doc = await this.deps.store.get(version);
    if (doc === null) return undefined;
    try {
      const definition: unknown = JSON.parse(doc.definition);
      if (hashDefinition(definition) !== version) throw new Error("its definition does not hash to its id");
      return compileMachine(definition);
    } catch (err) {
      const e = err as Error;
      this.deps.log.error(
        { version, workflow: doc.name, err: { name: e.name, message: e.message } },
        "stored workflow version is unusable",
      );
      return undefined;
    }
  }
}

/** Logs every refused workflow file with its problems (JSON pointers); the valid ones keep running. */
export function logInvalidWorkflows(catalog: WorkflowCatalog, log: Logger): void {
  for (const w of catalog.invalidWorkflows()) {
    log.error({ workflow: w.name, file: w.file, problems: w.problems }, "workflow file refused");
  }
}

/** Workflow versions over a runtime's shared database. */
export function createWorkflowVersions(
  rt: Pick<Runtime, "fleetDb" | "log">,
  catalog: WorkflowCatalog | (() => WorkflowCatalog),
  now: () => number = Date.now,
): WorkflowVersions {
  return new WorkflowVersions({
    catalog: typeof catalog === "function" ? catalog : () => catalog,
    store: new MongoWorkflowVersionStore(rt.fleetDb),
    now,
    log: rt.log.child({ component: "workflow-versions" }),
  });
}
