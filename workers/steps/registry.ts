import type { Logger } from "pino";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { stepForResource, stepNameOf } from "../../shared/workflows/step-manifest.ts";

/** What a step handler gets besides its input. */
export interface StepContext {
  tenantId: TenantId;
  jobId: string;
  stateName: string;
  attempt: number;
  /** One per Task invocation, stable across redeliveries and replays: `<jobId>:<stateName>#<n>` (workers/step-key.ts). */
  idempotencyKey: string;
  /** Aborted when the task times out, its heartbeat lapses, or the worker shuts down. */
  signal: AbortSignal;
  /** Tells the worker the step is alive (extends the lease and the message's visibility). */
  heartbeat: () => Promise<void>;
  log: Logger;
}

export type StepHandler = (input: unknown, ctx: StepContext) => Promise<unknown>;

/**
 * A step failure with a Step Functions error name, so Retry/Catch in the workflow can match it.
 * Anything else a handler throws is reported as `States.TaskFailed`.
 */
export class StepError extends Error {
  constructor(
    readonly error: string,
    readonly causeText: string,
  ) {
    super(`${error}: ${causeText}`);
    this.name = "StepError";
  }
}

export { stepNameOf };

export class StepRegistry {
  readonly #handlers = new Map<string, StepHandler>();

  register(name: string, handler: StepHandler): this {
    if (this.#handlers.has(name)) throw new Error(`step "${name}" is already registered`);
    this.#handlers.set(name, handler);
    return this;
  }

  /**
   * The handler for a Task resource, or undefined when none is registered. A `.waitForTaskToken`
   * resource resolves to the `human-review` step: the job waits for a decision (SendTaskSuccess /
   * SendTaskFailure semantics) rather than running anything.
   */
  resolve(resource: string): StepHandler | undefined {
    const name = stepForResource(resource);
    return name === undefined ? undefined : this.#handlers.get(name);
  }

  names(): string[] {
    return [...this.#handlers.keys()].sort();
  }
}
