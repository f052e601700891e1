/**
 * The API's confirmations that submitted jobs' intake messages were sent (ADR 0026), written in
 * batches: `sent(tenant, jobId)` after each successful send; every `delayMs` (or at `maxBatch`
 * waiting) one `confirmIntakeSent` per tenant clears `intakePending` on them. Off the request path:
 * a submission costs one insert and one send. A confirmation that is lost (the process died, the
 * write failed; logged) only means the sweeper sends that job's intake message once more if it is
 * still awaiting release after `redriveAfterMs` — a duplicate the release treats as one.
 */
import type { Logger } from "pino";
import type { JobStore } from "../../shared/jobs/job-store.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

export interface IntakeConfirmationsOptions {
  readonly jobsOf: (tenant: TenantId) => Pick<JobStore, "confirmIntakeSent">;
  readonly log: Logger;
  /** Longest a confirmation waits before its batch is written (ms). Default 50. */
  readonly delayMs?: number;
  /** A batch this large is written at once. Default 500. */
  readonly maxBatch?: number;
}

export interface IntakeConfirmations {
  /** Records that `jobId`'s intake message was sent; written with the next batch. */
  sent(tenant: TenantId, jobId: string): void;
  /** Writes every recorded confirmation now (also at shutdown). Never rejects. */
  flush(): Promise<void>;
}

export function createIntakeConfirmations(options: IntakeConfirmationsOptions): IntakeConfirmations {
  const delayMs = options.delayMs ?? 50;
  const maxBatch = options.maxBatch ?? 500;
  let waiting = new Map<TenantId, string[]>();
  let count = 0;
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();

  const write = async (tenant: TenantId, ids: string[]): Promise<void> => {
    try {
      await options.jobsOf(tenant).confirmIntakeSent(ids);
    } catch (err) {
      const e = err as Error & { code?: unknown };
      options.log.warn(
        { tenantId: tenant, jobs: ids.length, err: { name: e.name, code: e.code, message: e.message } },
        "intake confirmations not written; the sweeper re-sends those jobs' messages if still unreleased",
      );
    }
  };
  const drain = (): Promise<void> => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const batch = waiting;
    waiting = new Map();
    count = 0;
    const writes = [...batch].map(([tenant, ids]) => write(tenant, ids));
    const all = Promise.all(writes).then(() => undefined);
    inFlight.add(all);
    void all.finally(() => inFlight.delete(all));
    return all;
  };
  return {
    sent(tenant, jobId) {
      const ids = waiting.get(tenant);
      if (ids === undefined) waiting.set(tenant, [jobId]);
      else ids.push(jobId);
      count++;
      if (count >= maxBatch) void drain();
      else if (timer === undefined) {
        timer = setTimeout(() => void drain(), delayMs);
        timer.unref();
      }
    },
    async flush() {
      await drain();
      await Promise.all([...inFlight]);
    },
  };
}
