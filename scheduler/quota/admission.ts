import type { Quota } from "./schema.ts";

/**
 * Intake admission for one new job message, from the tenant's quota and its queued count. Used where
 * messages enter (an HTTP intake, or the scheduler when it reads an intake message); the fair-share
 * core never sees rejected work.
 */
export type Admission =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: "unknown-tenant" | "suspended" | "queue-full";
      readonly message: string;
    };

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
      message: `tenant has ${queued} queued jobs (maxQueued ${quota.maxQueued})`,
    };
  }
  return { ok: true };
}
