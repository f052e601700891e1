import type { Logger } from "pino";
import type { JobStore } from "../shared/jobs/job-store.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import {
  releaseMessage,
  type ReleaseDeps,
  type ReleaseOutcome,
  type TenantQueues,
} from "./intake/release-message.ts";

export interface SimpleLoopDeps extends Omit<ReleaseDeps, "jobs"> {
  /** Tenants to serve, with their intake queues; re-read every tick so new tenants join live. */
  tenants: () => Promise<{ tenantId: TenantId; queues: TenantQueues }[]>;
  jobsOf: (tenant: TenantId) => JobStore;
  log: Logger;
}

export interface TickResult {
  released: number;
  rejected: number;
  duplicates: number;
}

/**
 * The foundation's release loop: round-robin over tenants, at most one receive batch (≤10) per
 * tenant per tick. It has no quotas: the fair-share scheduler replaces the choice of *what* to
 * release; `releaseMessage` (how one message is released) stays.
 */
export class SimpleReleaseLoop {
  #running = false;
  #stopped: Promise<void> | undefined;
  readonly #abort = new AbortController();

  constructor(
    private readonly deps: SimpleLoopDeps,
    private readonly options: { idleWaitSeconds: number } = { idleWaitSeconds: 1 },
  ) {}

  /** One pass over every tenant. Public so tests drive the loop without timers. */
  async tick(waitSeconds = 0): Promise<TickResult> {
    const result: TickResult = { released: 0, rejected: 0, duplicates: 0 };
    for (const { tenantId, queues } of await this.deps.tenants()) {
      const messages = await this.deps.sqs.receive(queues.queueUrl, {
        maxMessages: 10,
        waitSeconds,
        signal: this.#abort.signal,
      });
      const deps: ReleaseDeps = { ...this.deps, jobs: this.deps.jobsOf(tenantId) };
      for (const m of messages) {
        const outcome: ReleaseOutcome = await releaseMessage(deps, tenantId, queues, m);
        if (outcome.kind === "released") result.released += 1;
        else if (outcome.kind === "rejected") result.rejected += 1;
        else result.duplicates += 1;
      }
    }
    return result;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopped = (async () => {
      while (this.#running) {
        try {
          await this.tick(this.options.idleWaitSeconds);
        } catch (err) {
          if (!this.#running) break;
          this.deps.log.error({ err }, "release tick failed; retrying");
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#abort.abort();
    await this.#stopped;
  }
}
