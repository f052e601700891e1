import { stepForResource, stepNameOf } from "../../shared/workflows/step-manifest.ts";
import type { StepContext } from "../sdk/context.ts";
import type { Step, StepHandler } from "../sdk/define-step.ts";
import { StepError } from "../sdk/step-error.ts";

export type { StepContext, StepHandler };
export { StepError, stepNameOf };

/** Something steps share for the life of a worker process (an engine pool, a client): closed with it. */
export interface StepResource {
  close(): Promise<void>;
}

/** The steps a worker runs, by name, and the resources they hold (closed when the worker process stops). */
export class StepRegistry {
  readonly #handlers = new Map<string, StepHandler>();
  readonly #resources: StepResource[] = [];
  #closing: Promise<void> | undefined;

  /** Registers a bare handler under `name` (prefer `add` with a `defineStep` step). */
  register(name: string, handler: StepHandler): this {
    if (this.#handlers.has(name)) throw new Error(`step "${name}" is already registered`);
    this.#handlers.set(name, handler);
    return this;
  }

  /** Registers steps made with `defineStep`; a name already registered throws. */
  add(...steps: readonly Step[]): this {
    for (const s of steps) this.register(s.name, s.handler);
    return this;
  }

  has(name: string): boolean {
    return this.#handlers.has(name);
  }

  /**
   * The handler for a Task resource, or undefined when none is registered. A `.waitForTaskToken`
   * resource resolves to the `human-review` step: the job waits for a decision (SendTaskSuccess /
   * SendTaskFailure semantics) rather than running anything.
   */
  resolve(resource: string): StepHandler | undefined {
    return this.resolveNamed(resource)?.handler;
  }

  /** The step name and handler for a Task resource. */
  resolveNamed(resource: string): { name: string; handler: StepHandler } | undefined {
    const name = stepForResource(resource);
    const handler = name === undefined ? undefined : this.#handlers.get(name);
    return name === undefined || handler === undefined ? undefined : { name, handler };
  }

  names(): string[] {
    return [...this.#handlers.keys()].sort();
  }

  /** Ties a resource to the registry: `close()` closes it. */
  own(resource: StepResource): this {
    this.#resources.push(resource);
    return this;
  }

  /**
   * Closes every owned resource, in reverse order, each even when another throws (the first error is
   * thrown afterwards). Call once the worker runs no more steps; idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      let first: unknown;
      for (const r of [...this.#resources].reverse()) {
        await r.close().catch((err: unknown) => (first ??= err));
      }
      if (first !== undefined) throw first;
    })();
    return this.#closing;
  }
}
