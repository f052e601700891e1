import type { Quota } from "./schema.ts";

/**
 * Intake admission from the tenant's quota and its queued count. The fair-share core never sees
 * rejected work.
 *
 * `maxQueued` bounds the messages a tenant has waiting to be released (jobs do not exist before
 * release, so "queued" means intake messages); how the scheduler applies it to a pull queue is in
 * `queue-limit.ts`.
 */
export type Admission =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: "unknown-tenant" | "suspended" | "queue-full";
      readonly message: string;
    };

/** Whether one more message may join a tenant that already has `queued` waiting. */
export function admit(quota: Quota | undefined, queued: number): Admission {
  if (quota === undefined) {
    return { ok: false, code: "unknown-tenant", message: "tenant has no valid quota" };
  }
  if (quota.status === "suspended") {
    return {
      ok: false,
      code: "suspended",
      message: `tenant suspended: ${quota.reason ?? "no reason given"}`,
    };
  }
  if (quota.maxQueued !== undefined && queued >= quota.maxQueued) {
    return {
      ok: false,
      code: "queue-full",
      message: `queue_full: tenant has ${queued} queued messages (maxQueued ${quota.maxQueued})`,
    };
  }
  return { ok: true };
}

/** The DLQ reason of a message sent while its tenant was full (`queue-limit.ts`). */
export function queueFullReason(maxQueued: number): string {
  return `queue_full: sent while the tenant had ${maxQueued} (maxQueued) or more messages waiting`;
}
