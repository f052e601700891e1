/**
 * The jobs this worker process is running now: one run per job at a time (issue 9 E/10).
 *
 * Two work messages for one job can land on the same worker: the sweeper's copy beside a redelivered
 * original, a scheduler's re-send beside the first. The claim alone cannot tell them apart, since
 * both come from the lease's owner, so the worker asks this registry first. The first message runs
 * the job; a second one is admitted as a follower: it waits, its visibility kept, until the run it
 * follows has settled, and is then handled like any message (its claim re-decides from what the
 * job document holds by then). So the duplicate is never a second run at once, and it is never
 * dropped either: if the first run ends without a resting point (an error gave the lease back, the
 * lease was lost to the sweeper), the follower is the message that carries the job on. If the whole
 * process dies, both messages die with it and the sweeper recovers the job from its expired lease.
 */
import type { TenantId } from "../shared/tenancy/tenant-id.ts";

export interface JobRef {
  readonly tenantId: TenantId;
  readonly jobId: string;
}

/** `run`: this message runs the job; call `leave` once it has settled. Else it follows `settled`. */
export type Admission =
  | { readonly run: true; readonly leave: () => void }
  | { readonly run: false; readonly settled: Promise<void> };

const keyOf = (job: JobRef) => `${job.tenantId}/${job.jobId}`;

export class JobsInProgress {
  readonly #runs = new Map<string, Promise<void>>();

  /** Jobs running now. */
  get size(): number {
    return this.#runs.size;
  }

  has(job: JobRef): boolean {
    return this.#runs.has(keyOf(job));
  }

  /** Admits a message for `job`: the first runs it; while it runs, others follow it. */
  enter(job: JobRef): Admission {
    const key = keyOf(job);
    const running = this.#runs.get(key);
    if (running !== undefined) return { run: false, settled: running };
    let resolve!: () => void;
    const settled = new Promise<void>((r) => (resolve = r));
    this.#runs.set(key, settled);
    let left = false;
    return {
      run: true,
      leave: () => {
        if (left) return;
        left = true;
        this.#runs.delete(key);
        resolve();
      },
    };
  }
}
