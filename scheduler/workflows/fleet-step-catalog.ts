/**
 * The scheduler's workflows when the fleet runs steps of its own (`SLUICE_STEPS`): the scheduler
 * never loads step code, so it validates Task resources against names only — the built-in manifest
 * (shared/workflows/step-manifest.ts) plus the step names live workers publish in their heartbeats
 * (shared/fleet/worker-heartbeats.ts). Names seen are kept (a fleet restarting does not make a
 * workflow flap between valid and invalid). Before a workflow is refused, `refresh()` re-reads the
 * heartbeats (at most once per `minRefreshMs`: a refresh asked for sooner waits for the rest of it,
 * so the read always follows the question) and reloads the workflow files when new names appeared. See docs/adr/0013-step-sdk.md.
 */
import type { Logger } from "pino";
import type { WorkflowCatalog } from "../../shared/workflows/catalog.ts";
import { loadWorkflowDirs } from "../../shared/workflows/catalog-dirs.ts";
import { manifestHasStep } from "../../shared/workflows/step-manifest.ts";
import { logInvalidWorkflows } from "../../shared/workflows/versions.ts";

export interface FleetStepCatalogDeps {
  dirs: readonly string[];
  builtInSteps: readonly string[];
  /** The step names live workers publish now. */
  fleetStepNames: () => Promise<readonly string[]>;
  now: () => number;
  log: Logger;
  /** Least time between two heartbeat reads; default 1 s. */
  minRefreshMs?: number;
  /** Waits out the rest of `minRefreshMs` (a refresh asked for sooner reads after it); default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

export class FleetStepCatalog {
  #catalog: WorkflowCatalog;
  readonly #known: Set<string>;
  #lastRead = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<boolean> | undefined;

  private constructor(
    private readonly deps: FleetStepCatalogDeps,
    catalog: WorkflowCatalog,
    known: Set<string>,
  ) {
    this.#catalog = catalog;
    this.#known = known;
  }

  /** Loads the workflows against the built-in names and those live workers publish now. */
  static async load(deps: FleetStepCatalogDeps): Promise<FleetStepCatalog> {
    const known = new Set([...deps.builtInSteps, ...(await deps.fleetStepNames().catch(() => []))]);
    const catalog = await loadWorkflowDirs(deps.dirs, { hasStep: manifestHasStep([...known]) });
    logInvalidWorkflows(catalog, deps.log);
    const c = new FleetStepCatalog(deps, catalog, known);
    c.#lastRead = deps.now();
    return c;
  }

  get catalog(): WorkflowCatalog {
    return this.#catalog;
  }

  /** The step names workflows are validated against. */
  stepNames(): string[] {
    return [...this.#known].sort();
  }

  /** Re-reads the fleet's step names; reloads the workflows when new ones appeared. True when reloaded. */
  refresh(): Promise<boolean> {
    this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  async #refresh(): Promise<boolean> {
    // Asked again soon after a read (a worker may have started since): read once the interval is over.
    const wait = this.#lastRead + (this.deps.minRefreshMs ?? 1000) - this.deps.now();
    if (wait > 0) await (this.deps.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms))))(wait);
    this.#lastRead = this.deps.now();
    let published: readonly string[];
    try {
      published = await this.deps.fleetStepNames();
    } catch (err) {
      this.deps.log.warn({ err }, "could not read the step names workers publish");
      return false;
    }
    const fresh = published.filter((n) => !this.#known.has(n));
    if (fresh.length === 0) return false;
    for (const n of fresh) this.#known.add(n);
    this.#catalog = await loadWorkflowDirs(this.deps.dirs, { hasStep: manifestHasStep([...this.#known]) });
    this.deps.log.info(
      { newSteps: fresh, workflows: this.#catalog.names() },
      "workers publish new steps: workflows reloaded",
    );
    logInvalidWorkflows(this.#catalog, this.deps.log);
    return true;
  }
}
