import type { Runtime } from "../shared/runtime/runtime.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import type { Truth } from "./accuracy.ts";

/** One job the demo sends: its intake message and what the report knows about it. */
export interface DemoJob {
  readonly tenant: TenantId;
  readonly idempotencyKey: string;
  readonly workflow: string;
  readonly input: unknown;
  /** The uploaded document's S3 key, or a label. */
  readonly document: string;
  readonly truth?: Truth;
}

export interface WorkloadContext {
  readonly rt: Runtime;
  readonly runId: string;
  readonly seed: number;
  /** Documents per tenant. */
  readonly counts: ReadonlyMap<TenantId, number>;
  /** A scratch directory for generated files. */
  readonly workDir: string;
  readonly say: (line: string) => void;
}

/** What the demo runs: the workflow's name (for the report) and how to make its jobs. */
export interface Workload {
  readonly workflow: string;
  prepare(ctx: WorkloadContext): Promise<DemoJob[]>;
}
