import type { Logger } from "pino";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { OutboundLimiter } from "./limiter.ts";
import type { TenantBlobs } from "./tenant-blobs.ts";

/** The settings a tenant's document gives a step (`steps.<stepName>` of the tenant document). */
export type StepSettings = Readonly<Record<string, unknown>>;

/** What a step gets besides its input. */
export interface StepContext<S = StepSettings> {
  tenantId: TenantId;
  jobId: string;
  /** The Task state that invoked the step. */
  stateName: string;
  /** 0 on the first try, n on the n-th Retry of the state. */
  attempt: number;
  /** One per Task invocation, stable across redeliveries and replays: `<jobId>:<stateName>#<n>` (workers/step-key.ts). */
  idempotencyKey: string;
  /** Aborted when the task times out, its heartbeat lapses, or the worker shuts down. */
  signal: AbortSignal;
  /** Tells the worker the step is alive (extends the lease and the message's visibility). */
  heartbeat: () => Promise<void>;
  /** Bound to tenant, job, state and attempt. */
  log: Logger;
  /** The tenant's objects: the only way a step touches S3 (reads size-limited, writes under the job's prefix). */
  blobs: TenantBlobs;
  /** The tenant's settings for this step (`steps.<name>` of its tenant document), `{}` when none. */
  settings: S;
  /** Outbound calls to external providers wait here for their provider's and tenant's limits. */
  limiter: OutboundLimiter;
}
