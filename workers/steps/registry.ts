import { stepForResource, stepNameOf } from "../../shared/workflows/step-manifest.ts";
import type { StepContext } from "../sdk/context.ts";
import type { Step, StepHandler } from "../sdk/define-step.ts";
import { StepError } from "../sdk/step-error.ts";

export type { StepContext, StepHandler };
export { StepError, stepNameOf };

/** The steps a worker runs, by name. */
export class StepRegistry {
  readonly #handlers = new Map<string, StepHandler>();

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
}
